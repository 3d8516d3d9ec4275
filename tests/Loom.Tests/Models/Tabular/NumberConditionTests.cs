using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data.Tables;
using Loom.Models;
using Loom.Models.Tabular;
using Loom.Models.Tabular.Diffusion;
using Loom.Models.Tabular.Neural;
using Loom.Tests.Support;
using Loom.Training.Runs;

namespace Loom.Tests.Models.Tabular;

/// <summary>
/// Conditions on number columns (<c>x=c</c>) for TabDDPM (inpainting) and CTGAN/TVAE (rejection within a tolerance): every
/// row has exactly c, and on a table where y = 2x + noise the rows' y follow (mean near 2c); values that do not parse or
/// lie outside the training range are refused with one line naming the condition.
/// </summary>
public sealed class NumberConditionTests : IDisposable
{
    private readonly TempFolder work = new();

    public NumberConditionTests() => File.WriteAllText(work.File("line.csv"), LineCsv(500, 3));

    public void Dispose() => work.Dispose();

    /// <summary>x ~ N(5, 1), y = 2x + N(0, 0.2²), and a label that is mostly x &gt; 5.</summary>
    private static string LineCsv(int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("x,y,side\n");
        for (int i = 0; i < rows; i++)
        {
            double x = 5 + CopulaFixtures.Normal(random), y = 2 * x + 0.2 * CopulaFixtures.Normal(random);
            string side = x + 0.3 * CopulaFixtures.Normal(random) > 5 ? "up" : "down";
            text.Append(CultureInfo.InvariantCulture, $"{x:0.00},{y:0.00},{side}\n");
        }
        return text.ToString();
    }

    private static Table Draw(IGenerativeModel model, int count, params string[] conditions) =>
        NeuralTableFixtures.Draw(model, count, 11, TableConditions.Parse(conditions));

    private static void AssertFollowsTheLine(IGenerativeModel model, double x, double slack)
    {
        var rows = Draw(model, 200, FormattableString.Invariant($"x={x}"));
        Assert.All(rows.Column("x")!.Numbers!, v => Assert.Equal(x, v));
        double meanY = rows.Column("y")!.Numbers!.Average();
        Assert.True(Math.Abs(meanY - 2 * x) < slack, $"x = {x}: mean y {meanY}, expected near {2 * x}");
    }

    private static void AssertBadValuesAreRefused(IGenerativeModel model)
    {
        Assert.Contains("x=abc: not a number", Assert.Throws<LoomUsageException>(() => Draw(model, 5, "x=abc")).Message);
        Assert.Contains("outside the range seen in training", Assert.Throws<LoomUsageException>(() => Draw(model, 5, "x=50")).Message);
        Assert.Contains("conditioned twice", Assert.Throws<LoomUsageException>(() => Draw(model, 5, "x=5", "x=6")).Message);
    }

    [Fact]
    public void TabDdpmInpaintsANumberAndTheOtherColumnsFollow()
    {
        var recipe = new JsonObject
        {
            ["data"] = work.File("line.csv"), ["steps"] = 400, ["batch_size"] = 128, ["timesteps"] = 40, ["embedding"] = 32,
            ["hidden"] = 64, ["layers"] = 2, ["seed"] = 3,
        };
        using var model = NeuralTableFixtures.Train(new TabDdpmFamily(), recipe, work.File("tabddpm"));
        AssertFollowsTheLine(model, 4, 1.0);
        AssertFollowsTheLine(model, 6.5, 1.0);
        var both = Draw(model, 50, "x=6", "side=up");
        Assert.All(both.Column("side")!.Labels!, l => Assert.Equal("up", l));
        AssertBadValuesAreRefused(model);
    }

    [Fact]
    public void TvaeKeepsRowsNearTheNumberAndSetsItExactly()
    {
        var recipe = new JsonObject { ["data"] = work.File("line.csv"), ["epochs"] = 120, ["batch_size"] = 100, ["seed"] = 3 };
        using var model = NeuralTableFixtures.Train(new TvaeFamily(), recipe, work.File("tvae"));
        AssertFollowsTheLine(model, 4, 1.0);
        AssertFollowsTheLine(model, 6.5, 1.0);
        AssertBadValuesAreRefused(model);
        // The smallest x seen, on the side the data almost never has there: too rare to meet by rejection.
        double lowest = Table.Read(work.File("line.csv")).Column("x")!.Numbers!.Min();
        var rare = Assert.Throws<LoomUsageException>(() => Draw(model, 20, FormattableString.Invariant($"x={lowest}"), "side=up"));
        Assert.Contains("rows drawn had x within", rare.Message);
    }

    [Fact]
    public void CtganRowsHaveTheNumberAndTheLabel()
    {
        var recipe = new JsonObject { ["data"] = work.File("line.csv"), ["epochs"] = 10, ["batch_size"] = 100, ["seed"] = 3 };
        using var model = NeuralTableFixtures.Train(new CtganFamily(), recipe, work.File("ctgan"));
        var rows = Draw(model, 20, "x=5.2", "side=up");
        Assert.All(rows.Column("x")!.Numbers!, v => Assert.Equal(5.2, v));
        Assert.All(rows.Column("side")!.Labels!, l => Assert.Equal("up", l));
        AssertBadValuesAreRefused(model);
    }
}
