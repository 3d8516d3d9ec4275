using Mono.Cecil;
using Mono.Cecil.Cil;
using Mono.Cecil.Rocks;

namespace Loom.Build.TorchLifetimes;

/// <summary>
/// Rewrites TorchSharp's managed assembly so that every managed object whose native handle a method reads stays
/// reachable until that method returns.
/// <para>
/// TorchSharp passes native handles as <c>IntPtr</c>: <c>THSTensor_mul_scalar(Handle, target.Handle)</c>. Once the
/// JIT has read <c>target.Handle</c>, an optimized method no longer reports <c>target</c> (or <c>this</c>) as live, so
/// when the wrapper is a temporary — an implicit <c>Scalar</c> made from a <c>double</c>, the <c>alpha = 1</c> that
/// <c>add(Scalar)</c> makes itself, a tensor that only the expression holds — a collection on another thread can
/// finalize it and free the native object while the native call is still reading it (use after free: garbage
/// values, NaN, <c>c10::Scalar::toFloat</c> assertions, segfaults). <c>GC.KeepAlive</c> after the call is the
/// documented cure; this weaver applies it to the whole assembly:
/// </para>
/// <list type="bullet">
/// <item>every read of a handle — a parameterless instance method of a class returning <c>IntPtr</c> (the
/// <c>Handle</c> getters, <c>SafeHandle.DangerousGetHandle</c>) or an <c>IntPtr</c> field of a class — first stores the
/// object into a fresh local;</item>
/// <item>in every method that reads a handle or calls a P/Invoke, each <c>ret</c> is preceded by
/// <c>GC.KeepAlive</c> of those locals, of <c>this</c>, and of every reference-typed argument and local (so lists
/// of tensors whose handles were copied into arrays stay alive too).</item>
/// </list>
/// The rewrite changes no behaviour other than lifetimes: the same instructions run, with extra loads and no-op calls.
/// </summary>
public static class LifetimeWeaver
{
    /// <summary>Value of the <c>AssemblyMetadata("Loom.TorchLifetimes", …)</c> attribute the woven assembly carries.</summary>
    public const string MarkerKey = "Loom.TorchLifetimes";
    public const string MarkerValue = "keepalive-v1";

    /// <summary>What the rewrite did.</summary>
    public sealed record Stats(int Methods, int HandleReads, int Returns);

    /// <summary>Rewrites <paramref name="module"/> in memory.</summary>
    public static Stats Weave(ModuleDefinition module)
    {
        if (module.Assembly.CustomAttributes.Any(IsMarker))
            throw new InvalidOperationException($"{module.Name} is already woven");
        var keepAlive = new MethodReference("KeepAlive", module.TypeSystem.Void,
            new TypeReference("System", "GC", module, module.TypeSystem.CoreLibrary)) { HasThis = false };
        keepAlive.Parameters.Add(new ParameterDefinition(module.TypeSystem.Object));
        int methods = 0, reads = 0, returns = 0;
        foreach (var type in module.GetTypes())
            foreach (var method in type.Methods.Where(m => m.HasBody))
            {
                var (r, n) = WeaveMethod(method, keepAlive);
                if (n == 0)
                    continue;
                methods++;
                reads += r;
                returns += n;
            }
        AddMarker(module);
        module.Attributes &= ~ModuleAttributes.StrongNameSigned;
        return new Stats(methods, reads, returns);
    }

    private static (int HandleReads, int Returns) WeaveMethod(MethodDefinition method, MethodReference keepAlive)
    {
        var body = method.Body;
        var code = body.Instructions;
        bool relevant = code.Any(i => IsPInvokeCall(i) || IsHandleRead(i));
        if (!relevant)
            return (0, 0);
        body.SimplifyMacros();
        var il = body.GetILProcessor();
        var objectType = method.Module.TypeSystem.Object;
        var kept = new List<Instruction>();
        if (method.HasThis && !method.DeclaringType.IsValueType)
            kept.Add(il.Create(OpCodes.Ldarg, method.Body.ThisParameter));
        foreach (var p in method.Parameters.Where(p => IsObjectReference(p.ParameterType)))
            kept.Add(il.Create(OpCodes.Ldarg, p));
        foreach (var v in body.Variables.Where(v => !v.IsPinned && IsObjectReference(v.VariableType)).ToList())
            kept.Add(il.Create(OpCodes.Ldloc, v));
        int handleReads = 0;
        foreach (var read in code.Where(IsHandleRead).ToList())
        {
            if (read.Previous is { } previous && IsPrefixOrAddress(previous))
                continue;
            var holder = new VariableDefinition(objectType);
            body.Variables.Add(holder);
            kept.Add(il.Create(OpCodes.Ldloc, holder));
            var original = il.Create(OpCodes.Nop);
            original.OpCode = read.OpCode;
            original.Operand = read.Operand;
            // In place, so that branches and handlers that target the read now target the copy first.
            read.OpCode = OpCodes.Dup;
            read.Operand = null;
            il.InsertAfter(read, il.Create(OpCodes.Stloc, holder));
            il.InsertAfter(read.Next, original);
            handleReads++;
        }
        foreach (var tail in code.Where(i => i.OpCode == OpCodes.Tail).ToList())
            tail.OpCode = OpCodes.Nop;
        int returns = 0;
        foreach (var ret in code.Where(i => i.OpCode == OpCodes.Ret).ToList())
        {
            var sequence = kept.SelectMany(load => new[] { Clone(load), il.Create(OpCodes.Call, keepAlive) }).ToList();
            if (sequence.Count == 0)
                break;
            ret.OpCode = sequence[0].OpCode;
            ret.Operand = sequence[0].Operand;
            var at = ret;
            foreach (var next in sequence.Skip(1).Append(il.Create(OpCodes.Ret)))
            {
                il.InsertAfter(at, next);
                at = next;
            }
            returns++;
        }
        body.InitLocals = true;
        body.OptimizeMacros();
        return (handleReads, returns);
    }

    private static Instruction Clone(Instruction load) => load.Operand switch
    {
        ParameterDefinition p => Instruction.Create(load.OpCode, p),
        VariableDefinition v => Instruction.Create(load.OpCode, v),
        _ => Instruction.Create(load.OpCode),
    };

    private static bool IsPInvokeCall(Instruction i) =>
        (i.OpCode == OpCodes.Call || i.OpCode == OpCodes.Callvirt) && i.Operand is MethodDefinition { IsPInvokeImpl: true };

    /// <summary>A read of a native handle from a class instance: <c>obj.Handle</c>-like getters and <c>IntPtr</c> fields.</summary>
    internal static bool IsHandleRead(Instruction i)
    {
        if ((i.OpCode == OpCodes.Call || i.OpCode == OpCodes.Callvirt) && i.Operand is MethodReference m)
            return m.HasThis && m.Parameters.Count == 0 && IsIntPtr(m.ReturnType) && IsClass(m.DeclaringType);
        if (i.OpCode == OpCodes.Ldfld && i.Operand is FieldReference f)
            return IsIntPtr(f.FieldType) && IsClass(f.DeclaringType);
        return false;
    }

    private static bool IsIntPtr(TypeReference t) => t.FullName == "System.IntPtr";

    private static bool IsClass(TypeReference t)
    {
        if (t.FullName == "System.Runtime.InteropServices.SafeHandle")
            return true;
        var definition = t as TypeDefinition ?? (t is GenericInstanceType g ? g.ElementType as TypeDefinition : null);
        return definition is { IsClass: true, IsValueType: false, IsInterface: false };
    }

    private static bool IsObjectReference(TypeReference t) =>
        !t.IsValueType && !t.IsByReference && !t.IsPointer && !t.IsGenericParameter && !t.IsFunctionPointer && !t.IsPinned &&
        t.MetadataType != MetadataType.Void && t is not RequiredModifierType && t is not OptionalModifierType;

    private static bool IsPrefixOrAddress(Instruction previous) =>
        previous.OpCode.OpCodeType == OpCodeType.Prefix ||
        previous.OpCode == OpCodes.Ldloca || previous.OpCode == OpCodes.Ldarga || previous.OpCode == OpCodes.Ldflda ||
        previous.OpCode == OpCodes.Ldsflda;

    private static bool IsMarker(CustomAttribute a) =>
        a.AttributeType.FullName == "System.Reflection.AssemblyMetadataAttribute" &&
        a.ConstructorArguments.Count == 2 && (string)a.ConstructorArguments[0].Value == MarkerKey;

    private static void AddMarker(ModuleDefinition module)
    {
        var attribute = new TypeReference("System.Reflection", "AssemblyMetadataAttribute", module, module.TypeSystem.CoreLibrary);
        var constructor = new MethodReference(".ctor", module.TypeSystem.Void, attribute) { HasThis = true };
        constructor.Parameters.Add(new ParameterDefinition(module.TypeSystem.String));
        constructor.Parameters.Add(new ParameterDefinition(module.TypeSystem.String));
        var marker = new CustomAttribute(constructor);
        marker.ConstructorArguments.Add(new CustomAttributeArgument(module.TypeSystem.String, MarkerKey));
        marker.ConstructorArguments.Add(new CustomAttributeArgument(module.TypeSystem.String, MarkerValue));
        module.Assembly.CustomAttributes.Add(marker);
    }
}
