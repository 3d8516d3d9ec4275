using System.Collections;
using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models;

/// <summary>
/// Whether a module has forward hooks (LoRA's update, DP-SGD's activation capture, FLOP counters). TorchSharp keeps them
/// in non-public dictionaries of its hookable module base (<c>pre_hooks</c>, <c>post_hooks</c>, <c>module_pre_hooks</c>,
/// <c>module_post_hooks</c>); this reads their counts through field readers compiled once per type. Code that
/// computes a module's output without calling it (a fused kernel) asks first, so hooks are never skipped silently. A
/// module type without those fields (a plain <c>nn.Module</c>) cannot hold hooks; if TorchSharp renames them, even
/// <c>Linear</c> lacks them and every module counts as hooked: the fused path turns itself off rather than guessing.
/// </summary>
internal static class ModuleHooks
{
    private static readonly string[] Names = ["pre_hooks", "post_hooks", "module_pre_hooks", "module_post_hooks"];
    private static readonly ConcurrentDictionary<Type, Func<object, object?>[]> Readers = new();
    private static readonly bool Understood = Find(typeof(Linear)).Length == Names.Length;

    /// <summary>Whether <paramref name="module"/> has a forward hook (or the hook fields are not where TorchSharp kept them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool HasForwardHooks(nn.Module module)
    {
        if (!Understood) return true;
        foreach (var read in Readers.GetOrAdd(module.GetType(), Compile))
            if (read(module) is ICollection { Count: > 0 }) return true;
        return false;
    }

    /// <summary>Whether any of <paramref name="modules"/> has a forward hook (no allocation: a decode step asks every step).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool AnyHasForwardHooks(params ReadOnlySpan<nn.Module> modules)
    {
        foreach (var module in modules)
            if (HasForwardHooks(module)) return true;
        return false;
    }

    /// <summary>Compiled readers of a type's hook fields: a decode step checks a few dozen modules per token, where
    /// <see cref="FieldInfo.GetValue"/> cost more than the check is worth.</summary>
    private static Func<object, object?>[] Compile(Type type) => Find(type).Select(field =>
    {
        var instance = Expression.Parameter(typeof(object), "module");
        var read = Expression.Convert(Expression.Field(Expression.Convert(instance, field.DeclaringType!), field), typeof(object));
        return Expression.Lambda<Func<object, object?>>(read, instance).Compile();
    }).ToArray();

    private static FieldInfo[] Find(Type type)
    {
        var found = new List<FieldInfo>();
        for (var t = type; t is not null; t = t.BaseType)
            found.AddRange(t.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly)
                .Where(f => Names.Contains(f.Name)));
        return found.ToArray();
    }
}
