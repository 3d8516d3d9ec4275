using System.Globalization;
using System.Text;
using Loom.Models.Hmm;

namespace Loom.Models;

/// <summary>
/// Rows of numbers as the text of a data file in a model's own format, for <see cref="ILikelihoodModel.ScoreContent"/>
/// (a server's JSON rows, a caller's arrays): one row per line, comma-separated — a vector model's CSV, a Gaussian HMM's
/// observations — except for a categorical HMM, whose rows are symbol sequences written space-separated.
/// </summary>
public static class ScoreRows
{
    /// <summary>The text of <paramref name="rows"/> in <paramref name="model"/>'s data format (numbers round-trip exactly).</summary>
    public static string ToText(IGenerativeModel model, IEnumerable<IReadOnlyList<double>> rows)
    {
        char separator = model.GetService<HiddenMarkovModel>() is { Emission: HmmEmission.Categorical } ? ' ' : ',';
        var text = new StringBuilder();
        foreach (var row in rows)
            text.AppendJoin(separator, row.Select(c => c.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        return text.ToString();
    }
}
