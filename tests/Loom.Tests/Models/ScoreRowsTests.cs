using Loom.Models;
using Loom.Tests.Hmm;

namespace Loom.Tests.Models;

/// <summary>
/// Rows of numbers as a model's data text (<see cref="ScoreRows"/>, the rows form of the server's <c>/v1/loom/score</c>):
/// a categorical HMM reads them as space-separated symbol sequences and scores them as the same sequences written to a
/// file; a Gaussian HMM reads comma-separated observations, numbers kept exactly.
/// </summary>
public sealed class ScoreRowsTests
{
    [Fact]
    public void A_categorical_hmm_scores_rows_as_the_symbol_sequences_of_its_own_files()
    {
        using var model = HmmTestModels.Categorical3();
        double[][] rows = [[0, 2, 1, 1, 3], [3, 3, 0]];
        var text = ScoreRows.ToText(model, rows);
        Assert.Equal("0 2 1 1 3\n3 3 0\n", text);
        var fromRows = model.ScoreContent(text);
        var fromFile = model.ScoreContent("0 2 1 1 3\n3 3 0\n# the same sequences\n");
        Assert.Equal(fromFile.TotalNllNats, fromRows.TotalNllNats);
        Assert.Equal(8, fromRows.Units);
    }

    [Fact]
    public void A_gaussian_hmm_gets_comma_separated_observations_that_round_trip_exactly()
    {
        using var model = HmmTestModels.Separated2();
        double[][] rows = [[0.1, -2.5], [1.0 / 3, 1e-300]];
        var text = ScoreRows.ToText(model, rows);
        Assert.Equal("0.1,-2.5\n0.3333333333333333,1E-300\n", text);
        Assert.Equal(2, model.ScoreContent(text).Units);
    }
}
