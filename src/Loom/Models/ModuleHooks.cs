using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models;

/// <summary>
/// Whether a module has forward hooks (LoRA's update, DP-SGD's activation capture, FLOP counters). TorchSharp keeps them
/// in non-public dictionaries of its hookable module base (<c>pre_hooks</c>, <c>post_hooks</c>, <c>module_pre_hooks</c>,
/// <c>module_post_hooks</c>); this reads their counts by reflection, with the lookup done once per type. Code that
/// computes a module's output without calling it (a fused kernel) asks first, so hooks are never skipped silently. A
/// module type without those fields (a plain <c>nn.Module</c>) cannot hold hooks; if TorchSharp renames them, even
/// <c>Linear</c> lacks them and every module counts as hooked: the fused path turns itself off rather than guessing.
/// </summary>
internal static class ModuleHooks
{
    private static readonly string[] Names = ["pre_hooks", "post_hooks", "module_pre_hooks", "module_post_hooks"];
    private static readonly Dictionary<Type, FieldInfo[]> Fields = [];
    private static readonly bool Understood = Find(typeof(Linear)).Length == Names.Length;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool HasForwardHooks(nn.Module module)
    {
        if (!Understood) return true;
        FieldInfo[]? fields;
        lock (Fields)
        {
            if (!Fields.TryGetValue(module.GetType(), out fields))
                Fields[module.GetType()] = fields = Find(module.GetType());
        }
        foreach (var field in fields)
            if (field.GetValue(module) is ICollection { Count: > 0 }) return true;
        return false;
    }

    private static FieldInfo[] Find(Type type)
    {
        var found = new List<FieldInfo>();
        for (var t = type; t is not null; t = t.BaseType)
            found.AddRange(t.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly)
                .Where(f => Names.Contains(f.Name)));
        return found.ToArray();
    }
}
