using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Training;

/// <summary>
/// AdamW (or Adam with an L2 penalty, <see cref="OptimizerOptions.CoupledWeightDecay"/>) and SGD written on tensors, so
/// their whole state (step count, moments, momentum buffers) is plain named tensors that a checkpoint saves and restores
/// exactly. A bfloat16 or float16 parameter gets a float32 master copy (mixed-precision training without autocast): the
/// update is computed on the master from the gradient in float32, with float32 moments, and the parameter receives the
/// master rounded to its dtype — so updates smaller than the parameter's rounding step still accumulate.
/// </summary>
public sealed class Optimizer : IDisposable
{
    private readonly IReadOnlyList<TorchSharp.Modules.Parameter> parameters;
    private readonly Tensor?[] first;
    private readonly Tensor?[] second;
    private readonly Tensor?[] masters;
    private FlatAdamW? flat;   // AdamW over flat buffers; the arrays above then hold views into it

    public Optimizer(IReadOnlyList<TorchSharp.Modules.Parameter> parameters, OptimizerOptions options)
    {
        options.Validate();
        this.parameters = parameters;
        Options = options;
        first = new Tensor?[parameters.Count];
        second = new Tensor?[parameters.Count];
        masters = new Tensor?[parameters.Count];
    }

    public OptimizerOptions Options { get; }
    public IReadOnlyList<TorchSharp.Modules.Parameter> Parameters => parameters;
    /// <summary>Updates applied so far (Adam's bias correction uses it).</summary>
    public long StepCount { get; private set; }

    public void ZeroGrad()
    {
        foreach (var p in parameters)
            p.grad?.zero_();
    }

    /// <summary>One update with learning rate <paramref name="lr"/> from the parameters' current gradients.</summary>
    public void Step(double lr)
    {
        StepCount++;
        if (Options.Kind == OptimizerKind.AdamW && FlatAdamW.Applies(parameters)
            && (FlatUpdates ?? parameters[0].device_type == DeviceType.CUDA))
        {
            flat ??= new FlatAdamW(parameters, Options, first, second, masters);
            flat.Step(Options, lr, StepCount);
            return;
        }
        using var noGrad = torch.no_grad();
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            if (p.grad is not { } g)
                continue;
            using var scope = torch.NewDisposeScope();
            var master = MasterAt(i);
            var target = master ?? p;
            if (master is not null) g = g.to(ScalarType.Float32);
            if (Options.Kind == OptimizerKind.AdamW)
                AdamW(i, target, g, lr);
            else
                Sgd(i, target, g, lr);
            if (master is not null) p.copy_(master);
        }
    }

    /// <summary>
    /// Whether AdamW updates every parameter at once over flat buffers (<see cref="FlatAdamW"/>, when all have gradients and
    /// share a dtype and device) instead of one by one. Null (the default): on CUDA devices only, where each kernel launch
    /// costs microseconds; on this project's CPU the flat update measured no faster (3.2–5.3 against 3.0–4.6 ms for the 52
    /// tensors of a 4×128 char transformer: its gather and scatter passes cost what the saved launches did).
    /// </summary>
    public bool? FlatUpdates { get; init; }

    /// <summary>Whether parameters of <paramref name="dtype"/> train through a float32 master copy (bfloat16, float16).</summary>
    public static bool NeedsMaster(ScalarType dtype) => dtype is ScalarType.BFloat16 or ScalarType.Float16;

    /// <summary>The float32 master copy of <paramref name="parameter"/> (one of this optimizer's, in half precision), or null
    /// for a float32 parameter or one this optimizer does not update.</summary>
    public Tensor? MasterOf(TorchSharp.Modules.Parameter parameter)
    {
        for (int i = 0; i < parameters.Count; i++)
            if (ReferenceEquals(parameters[i], parameter)) return MasterAt(i);
        return null;
    }

    private Tensor? MasterAt(int i)
    {
        var p = parameters[i];
        if (!NeedsMaster(p.dtype)) return null;
        return masters[i] ??= p.detach().to(ScalarType.Float32, copy: true).DetachFromDisposeScope();
    }

    private void AdamW(int i, Tensor p, Tensor g, double lr)
    {
        var o = Options;
        if (o.WeightDecay > 0 && (!o.DecayMatricesOnly || p.dim() >= 2))
        {
            if (o.CoupledWeightDecay) g = g + o.WeightDecay * p;
            else p.mul_(1 - lr * o.WeightDecay);
        }
        var m = first[i] ??= torch.zeros_like(p).DetachFromDisposeScope();
        var v = second[i] ??= torch.zeros_like(p).DetachFromDisposeScope();
        AdamUpdate(p, m, v, g, o, lr, StepCount);
    }

    /// <summary>Adam's moment updates and bias-corrected step on <paramref name="p"/> (after any weight decay), update number
    /// <paramref name="step"/>; shared by the per-parameter and the flat update.</summary>
    internal static void AdamUpdate(Tensor p, Tensor m, Tensor v, Tensor g, OptimizerOptions o, double lr, long step)
    {
        m.mul_(o.Beta1).add_(g, alpha: 1 - o.Beta1);
        v.mul_(o.Beta2).addcmul_(g, g, value: 1 - o.Beta2);
        double bc1 = 1 - Math.Pow(o.Beta1, step);
        double bc2 = 1 - Math.Pow(o.Beta2, step);
        var denominator = (v.sqrt() / Math.Sqrt(bc2)).add_(o.Eps);
        p.addcdiv_(m, denominator, value: -lr / bc1);
    }

    private void Sgd(int i, Tensor p, Tensor g, double lr)
    {
        var o = Options;
        var d = o.WeightDecay > 0 ? g + o.WeightDecay * p : g;
        if (o.Momentum > 0)
        {
            if (first[i] is null)
                first[i] = d.clone().DetachFromDisposeScope();
            else
                first[i]!.mul_(o.Momentum).add_(d);
            d = o.Nesterov ? d + o.Momentum * first[i]! : first[i]!;
        }
        p.add_(d, alpha: -lr);
    }

    /// <summary>The state as named tensors (<c>{prefix}step</c>, <c>{prefix}{i}.m</c>, <c>{prefix}{i}.v</c> and, for a
    /// half-precision parameter, <c>{prefix}{i}.master</c>).</summary>
    public void CaptureState(string prefix, IDictionary<string, Tensor> into)
    {
        into[$"{prefix}step"] = torch.tensor(StepCount);
        for (int i = 0; i < parameters.Count; i++)
        {
            if (first[i] is { } m) into[$"{prefix}{i}.m"] = m.clone();
            if (second[i] is { } v) into[$"{prefix}{i}.v"] = v.clone();
            if (MasterAt(i) is { } master) into[$"{prefix}{i}.master"] = master.clone();
        }
    }

    public void RestoreState(string prefix, IReadOnlyDictionary<string, Tensor> from)
    {
        if (!from.TryGetValue($"{prefix}step", out var step))
            throw new Core.LoomDataException($"trainer state: missing '{prefix}step'");
        if (step.dtype != ScalarType.Int64 || step.numel() != 1 || step.item<long>() < 0)
            throw new Core.LoomDataException($"trainer state: '{prefix}step' must be one non-negative int64");
        StepCount = step.item<long>();
        flat?.Dispose();   // rebuilt from the restored per-parameter state at the next flat step
        flat = null;
        for (int i = 0; i < parameters.Count; i++)
        {
            first[i]?.Dispose();
            second[i]?.Dispose();
            masters[i]?.Dispose();
            masters[i] = null;
            first[i] = from.TryGetValue($"{prefix}{i}.m", out var m) ? Checked(m, i).clone() : null;
            second[i] = from.TryGetValue($"{prefix}{i}.v", out var v) ? Checked(v, i).clone() : null;
            if (!NeedsMaster(parameters[i].dtype)) continue;
            // A state saved without a master (a float32 run) starts the master from the parameter.
            if (from.TryGetValue($"{prefix}{i}.master", out var master))
                masters[i] = Checked(master, i).clone();
        }
    }

    private Tensor Checked(Tensor t, int i)
    {
        if (!t.shape.SequenceEqual(parameters[i].shape))
            throw new Core.LoomDataException($"trainer state: optimizer moment {i} has shape [{string.Join(", ", t.shape)}], the parameter "
                + $"has [{string.Join(", ", parameters[i].shape)}]");
        var dtype = StateDtype(parameters[i].dtype);
        if (t.dtype != dtype)
            throw new Core.LoomDataException($"trainer state: optimizer tensor {i} is {t.dtype}, the optimizer keeps {dtype} for this "
                + $"{parameters[i].dtype} parameter");
        return t.to(parameters[i].device);
    }

    /// <summary>The dtype of the moments and master of a parameter of <paramref name="dtype"/>.</summary>
    private static ScalarType StateDtype(ScalarType dtype) => NeedsMaster(dtype) ? ScalarType.Float32 : dtype;

    public void Dispose()
    {
        foreach (var t in first) t?.Dispose();
        foreach (var t in second) t?.Dispose();
        foreach (var t in masters) t?.Dispose();
        flat?.Dispose();
    }
}
