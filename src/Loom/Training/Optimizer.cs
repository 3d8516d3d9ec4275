using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Training;

/// <summary>
/// AdamW (or Adam with an L2 penalty, <see cref="OptimizerOptions.CoupledWeightDecay"/>) and SGD written on tensors, so
/// their whole state (step count, moments, momentum buffers) is plain named tensors that a checkpoint saves and restores
/// exactly.
/// </summary>
public sealed class Optimizer : IDisposable
{
    private readonly IReadOnlyList<TorchSharp.Modules.Parameter> parameters;
    private readonly Tensor?[] first;
    private readonly Tensor?[] second;

    public Optimizer(IReadOnlyList<TorchSharp.Modules.Parameter> parameters, OptimizerOptions options)
    {
        options.Validate();
        this.parameters = parameters;
        Options = options;
        first = new Tensor?[parameters.Count];
        second = new Tensor?[parameters.Count];
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
        using var noGrad = torch.no_grad();
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            if (p.grad is not { } g)
                continue;
            using var scope = torch.NewDisposeScope();
            if (Options.Kind == OptimizerKind.AdamW)
                AdamW(i, p, g, lr);
            else
                Sgd(i, p, g, lr);
        }
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
        m.mul_(o.Beta1).add_(g, alpha: 1 - o.Beta1);
        v.mul_(o.Beta2).addcmul_(g, g, value: 1 - o.Beta2);
        double bc1 = 1 - Math.Pow(o.Beta1, StepCount);
        double bc2 = 1 - Math.Pow(o.Beta2, StepCount);
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

    /// <summary>The state as named tensors (<c>{prefix}step</c>, <c>{prefix}{i}.m</c>, <c>{prefix}{i}.v</c>).</summary>
    public void CaptureState(string prefix, IDictionary<string, Tensor> into)
    {
        into[$"{prefix}step"] = torch.tensor(StepCount);
        for (int i = 0; i < parameters.Count; i++)
        {
            if (first[i] is { } m) into[$"{prefix}{i}.m"] = m.clone();
            if (second[i] is { } v) into[$"{prefix}{i}.v"] = v.clone();
        }
    }

    public void RestoreState(string prefix, IReadOnlyDictionary<string, Tensor> from)
    {
        if (!from.TryGetValue($"{prefix}step", out var step))
            throw new Core.LoomDataException($"trainer state: missing '{prefix}step'");
        if (step.dtype != ScalarType.Int64 || step.numel() != 1 || step.item<long>() < 0)
            throw new Core.LoomDataException($"trainer state: '{prefix}step' must be one non-negative int64");
        StepCount = step.item<long>();
        for (int i = 0; i < parameters.Count; i++)
        {
            first[i]?.Dispose();
            second[i]?.Dispose();
            first[i] = from.TryGetValue($"{prefix}{i}.m", out var m) ? Checked(m, i).clone() : null;
            second[i] = from.TryGetValue($"{prefix}{i}.v", out var v) ? Checked(v, i).clone() : null;
        }
    }

    private Tensor Checked(Tensor t, int i)
    {
        if (!t.shape.SequenceEqual(parameters[i].shape))
            throw new Core.LoomDataException($"trainer state: optimizer moment {i} has shape [{string.Join(", ", t.shape)}], the parameter "
                + $"has [{string.Join(", ", parameters[i].shape)}]");
        if (t.dtype != parameters[i].dtype)
            throw new Core.LoomDataException($"trainer state: optimizer moment {i} is {t.dtype}, the parameter is {parameters[i].dtype}");
        return t.to(parameters[i].device);
    }

    public void Dispose()
    {
        foreach (var t in first) t?.Dispose();
        foreach (var t in second) t?.Dispose();
    }
}
