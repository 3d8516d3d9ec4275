using Loom.Audio;

namespace Loom.Tests.Audio;

/// <summary>μ-law against the formula written out here: F(x) = sign(x)·ln(1 + 255|x|)/ln 256, levels ⌊(F + 1)/2·255 + ½⌋.</summary>
public class MuLawTests
{
    private static int Reference(double x)
    {
        double f = Math.Sign(x) * Math.Log(1 + 255 * Math.Abs(x)) / Math.Log(256);
        return (int)Math.Floor((f + 1) / 2 * 255 + 0.5);
    }

    [Fact]
    public void EncodingFollowsTheFormulaAndCoversAllLevels()
    {
        var seen = new HashSet<int>();
        for (int i = -20000; i <= 20000; i++)
        {
            double x = i / 20000.0;
            int level = MuLaw.Encode(x);
            Assert.Equal(Reference(x), level);
            seen.Add(level);
        }
        Assert.Equal(256, seen.Count);
        Assert.Equal(0, MuLaw.Encode(-1.0));
        Assert.Equal(255, MuLaw.Encode(1.0));
        Assert.Equal(128, MuLaw.Encode(0.0));
        Assert.Equal(255, MuLaw.Encode(3.0));
    }

    [Fact]
    public void DecodingInvertsTheCompandingAtEachLevel()
    {
        for (int level = 0; level < 256; level++)
        {
            double y = 2.0 * level / 255 - 1;
            double expected = Math.Sign(y) * (Math.Pow(256, Math.Abs(y)) - 1) / 255;
            Assert.Equal(expected, MuLaw.Decode(level), 6);
            Assert.Equal(level, MuLaw.Encode(MuLaw.Decode(level)));
        }
        // Small amplitudes get fine steps, large ones coarse: the step near 0 is far below the step near 1.
        Assert.True(MuLaw.Decode(129) - MuLaw.Decode(128) < 0.001);
        Assert.True(MuLaw.Decode(255) - MuLaw.Decode(254) > 0.02);
    }
}
