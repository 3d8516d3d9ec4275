using Loom.Core;
using Loom.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Data;

public class ToyDataTests
{
    private static double[] Col(Tensor points, int j) => points[.., j].contiguous().data<double>().ToArray();

    [Fact]
    public void EverySetHasShapeDtypeFiniteValuesAndIsDeterministic()
    {
        foreach (var name in ToyData.Names)
        {
            using var a = ToyData.Generate(name, 257, seed: 5);
            using var b = ToyData.Generate(name, 257, seed: 5);
            using var c = ToyData.Generate(name, 257, seed: 6);
            using var f = ToyData.Generate(name, 10, seed: 5, dtype: ScalarType.Float32);
            Assert.Equal(new long[] { 257, 2 }, a.shape);
            Assert.Equal(ScalarType.Float64, a.dtype);
            Assert.Equal(ScalarType.Float32, f.dtype);
            Assert.True(a.isfinite().all().item<bool>(), name);
            Assert.True(Same(a, b), name);
            Assert.False(Same(a, c), name);
        }
    }

    [Fact]
    public void A_set_too_large_for_memory_is_refused_before_anything_is_drawn()
    {
        var e = Assert.Throws<LoomUsageException>(() => ToyData.Generate("moons", 100_000_000, 0));
        Assert.Contains("10,000,000", e.Message);
        using var small = ToyData.Generate("moons", 1000, 0);
        Assert.Equal(1000, small.shape[0]);
    }

    [Fact]
    public void CirclesLieOnRadiiThreeAndOneAndAHalf()
    {
        using var p = ToyData.Generate("circles", 400, seed: 1, noise: 0);
        var r = p.norm(1).data<double>().ToArray();
        Assert.All(r, x => Assert.True(Math.Abs(x - 3) < 1e-9 || Math.Abs(x - 1.5) < 1e-9, $"radius {x}"));
        Assert.Equal(200, r.Count(x => Math.Abs(x - 3) < 1e-9));
    }

    [Fact]
    public void EightGaussiansClusterAroundTheirCentres()
    {
        using var p = ToyData.Generate("8gaussians", 4000, seed: 2);
        var x = Col(p, 0);
        var y = Col(p, 1);
        var centres = Enumerable.Range(0, 8)
            .Select(k => (X: 2 * Math.Sqrt(2) * Math.Cos(k * Math.PI / 4), Y: 2 * Math.Sqrt(2) * Math.Sin(k * Math.PI / 4))).ToArray();
        var sums = new (double X, double Y, int N)[8];
        for (int i = 0; i < x.Length; i++)
        {
            int nearest = Enumerable.Range(0, 8).MinBy(k => Math.Pow(x[i] - centres[k].X, 2) + Math.Pow(y[i] - centres[k].Y, 2));
            sums[nearest] = (sums[nearest].X + x[i], sums[nearest].Y + y[i], sums[nearest].N + 1);
        }
        for (int k = 0; k < 8; k++)
        {
            Assert.InRange(sums[k].N, 400, 600);
            Assert.InRange(sums[k].X / sums[k].N - centres[k].X, -0.06, 0.06);
            Assert.InRange(sums[k].Y / sums[k].N - centres[k].Y, -0.06, 0.06);
        }
        using var noiseless = ToyData.Generate("8gaussians", 50, seed: 2, noise: 0);
        var radii = noiseless.norm(1).data<double>().ToArray();
        Assert.All(radii, r => Assert.Equal(2 * Math.Sqrt(2), r, 9));
    }

    [Fact]
    public void CheckerboardFillsOnlyEvenCellsInsideTheBox()
    {
        using var p = ToyData.Generate("checkerboard", 4000, seed: 3);
        var x = Col(p, 0);
        var y = Col(p, 1);
        var counts = new Dictionary<(int, int), int>();
        for (int i = 0; i < x.Length; i++)
        {
            Assert.InRange(x[i], -4, 4);
            Assert.InRange(y[i], -4, 4);
            var cell = ((int)Math.Floor(x[i] / 2), (int)Math.Floor(y[i] / 2));
            Assert.True((cell.Item1 + cell.Item2) % 2 == 0, $"point ({x[i]}, {y[i]}) is in an odd cell");
            counts[cell] = counts.GetValueOrDefault(cell) + 1;
        }
        Assert.Equal(8, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 400, 600));
    }

    [Fact]
    public void MoonsStayInTheirRangeAndSplitEvenly()
    {
        using var p = ToyData.Generate("moons", 1000, seed: 4, noise: 0);
        var x = Col(p, 0);
        var y = Col(p, 1);
        // noiseless: outer moon maps to x in [-3, 1], y in [-0.2, 1.8]; inner to x in [-1, 3], y in [-1.2, 0.8]
        Assert.All(x, v => Assert.InRange(v, -3 - 1e-9, 3 + 1e-9));
        Assert.All(y, v => Assert.InRange(v, -1.2 - 1e-9, 1.8 + 1e-9));
        int outer = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double ox = (x[i] + 1) / 2, oy = (y[i] + 0.2) / 2;
            bool onOuter = Math.Abs(ox * ox + oy * oy - 1) < 1e-9 && oy >= -1e-12;
            bool onInner = Math.Abs((ox - 1) * (ox - 1) + (oy - 0.5) * (oy - 0.5) - 1) < 1e-9 && oy <= 0.5 + 1e-12;
            Assert.True(onOuter || onInner, $"({x[i]}, {y[i]}) is on neither moon");
            if (onOuter) outer++;
        }
        Assert.Equal(500, outer);
    }

    [Fact]
    public void SwissRollAndPinwheelHaveTheirRadii()
    {
        using var roll = ToyData.Generate("swissroll", 500, seed: 7, noise: 0);
        var r = roll.norm(1).data<double>().ToArray();
        Assert.All(r, v => Assert.InRange(v, 1.5 * Math.PI / 5 - 1e-9, 4.5 * Math.PI / 5 + 1e-9));
        // the angle of a noiseless roll point equals its radius*5 (mod 2π)
        var x = Col(roll, 0);
        var y = Col(roll, 1);
        for (int i = 0; i < x.Length; i++)
        {
            double diff = Math.IEEERemainder(Math.Atan2(y[i], x[i]) - r[i] * 5, 2 * Math.PI);
            Assert.True(Math.Abs(diff) < 1e-9);
        }

        using var pin = ToyData.Generate("pinwheel", 500, seed: 7, noise: 0);
        var pr = pin.norm(1).data<double>().ToArray();
        Assert.All(pr, v => Assert.Equal(2.0, v, 9));
        var angles = Col(pin, 0).Zip(Col(pin, 1), (a, b) => Math.Atan2(b, a)).ToArray();
        // noiseless arms: angle = 2πk/5 + 0.25·e
        Assert.All(angles, a =>
        {
            double k = (a - 0.25 * Math.E) / (2 * Math.PI / 5);
            Assert.True(Math.Abs(k - Math.Round(k)) < 1e-6, $"angle {a} is off the arms");
        });
    }

    [Fact]
    public void NamesAliasesAndBadInput()
    {
        using var a = ToyData.Generate("Two-Moons", 8, 1);
        using var b = ToyData.Generate("moons", 8, 1);
        Assert.True(Same(a, b));
        Assert.Throws<LoomUsageException>(() => ToyData.Generate("spiral-galaxy", 8, 1));
        Assert.Throws<LoomUsageException>(() => ToyData.Generate("moons", 0, 1));
        Assert.Throws<LoomUsageException>(() => ToyData.Generate("moons", 8, 1, noise: -1));
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
}
