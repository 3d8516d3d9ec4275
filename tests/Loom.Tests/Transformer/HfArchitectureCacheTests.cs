using Loom.Models.Transformer;
using TorchSharp;

namespace Loom.Tests.Transformer;

/// <summary>For every architecture, decoding with the KV cache (prefill, then steps of 2 and 1 tokens) equals a full recompute.</summary>
public sealed class HfArchitectureCacheTests
{
    [Theory]
    [MemberData(nameof(TinyHfArchitectures.Names), MemberType = typeof(TinyHfArchitectures))]
    public void Cached_steps_equal_full_recompute(string architecture)
    {
        using var model = TinyHfArchitectures.RandomModel(TinyHfArchitectures.Config(architecture));
        using var noGrad = torch.no_grad();
        using var ids = torch.tensor(new long[] { 1, 5, 2, 7, 3, 9, 4, 4, 0, 6, 30, 12 }).view(1, -1);
        using var full = model.Forward(ids);
        using var state = model.CreateState(1, 12);
        var pieces = new List<torch.Tensor> { model.Forward(ids.narrow(1, 0, 4), null, state) };
        foreach (var (start, length) in new[] { (4, 2), (6, 1), (7, 1), (8, 2), (10, 1), (11, 1) })
            pieces.Add(model.Forward(ids.narrow(1, start, length), null, state));
        using var cached = torch.cat(pieces, 1);
        double diff = (cached - full).abs().max().ToDouble();
        Assert.True(diff < 1e-4, $"{architecture}: max |cached − full| = {diff:E2}");
        foreach (var p in pieces) p.Dispose();
    }

    [Theory]
    [MemberData(nameof(TinyHfArchitectures.Names), MemberType = typeof(TinyHfArchitectures))]
    public void Left_padded_row_equals_its_unbatched_run(string architecture)
    {
        using var model = TinyHfArchitectures.RandomModel(TinyHfArchitectures.Config(architecture));
        using var noGrad = torch.no_grad();
        using var alone = model.Forward(torch.tensor(new long[] { 2, 7, 9, 4, 4, 1 }).view(1, -1));
        using var batch = torch.tensor(new long[] { 3, 1, 4, 1, 5, 9, 2, 6, 0, 0, 2, 7, 9, 4, 4, 1 }).view(2, 8);
        using var mask = torch.tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1 }).view(2, 8);
        using var batched = model.Forward(batch, mask);
        double diff = (batched[1].narrow(0, 2, 6) - alone[0]).abs().max().ToDouble();
        Assert.True(diff < 1e-4, $"{architecture}: padded row differs by {diff:E2}");
    }
}
