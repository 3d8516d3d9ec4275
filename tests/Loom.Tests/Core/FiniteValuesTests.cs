using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Core;

public class FiniteValuesTests
{
    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void OneNonFiniteElementAnywhereIsFound(float bad)
    {
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64, ScalarType.BFloat16, ScalarType.Float16 })
            for (int at = 0; at < 7; at += 3)
            {
                using var values = torch.linspace(-3, 3, 7).to(dtype);
                values[at] = torch.tensor(bad).to(dtype);
                Assert.False(FiniteValues.All(values), $"{dtype}, {bad} at {at}");
            }
    }

    [Fact]
    public void FiniteIntegerAndEmptyTensorsPass()
    {
        using var finite = torch.linspace(-1, 1, 20).view(4, 5);
        using var extremes = torch.tensor(new[] { float.MaxValue, float.MinValue, float.Epsilon });
        using var integers = torch.arange(10);
        using var empty = torch.empty(0, 3);
        Assert.True(FiniteValues.All(finite));
        Assert.True(FiniteValues.All(extremes));
        Assert.True(FiniteValues.All(integers));
        Assert.True(FiniteValues.All(empty));
    }
}
