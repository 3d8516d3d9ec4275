using Loom.Core;
using TorchSharp;

namespace Loom.Tests;

public class NativeSmokeTests
{
    [Fact]
    public void LibtorchLoadsAndComputes()
    {
        TorchRuntime.EnsureLoaded();
        using var a = torch.ones(2, 3);
        using var b = torch.ones(3, 4);
        using var c = a.matmul(b);
        Assert.Equal(3.0f, c[1, 2].item<float>());
    }
}
