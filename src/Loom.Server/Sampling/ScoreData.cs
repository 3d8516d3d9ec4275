using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Models;
using Loom.Server.Protocol;

namespace Loom.Server.Sampling;

/// <summary>
/// The <c>data</c> field of <c>/v1/loom/score</c> as the text of a data file in the model's own format (what
/// <see cref="ILikelihoodModel.ScoreContent"/> reads): a string is that text (plain text for text models, CSV for
/// vector models, the HMM formats); an array of strings is lines of text; an array of rows of numbers is one row per
/// line, comma-separated (a categorical HMM's rows are symbol sequences, written space-separated).
/// </summary>
public static class ScoreData
{
    public static string Read(JsonRequest request, IGenerativeModel model)
    {
        var node = request.Node("data")
            ?? throw ApiError.BadField("data", "Missing required parameter: 'data'.", "missing_required_parameter");
        var text = node switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            JsonArray lines when lines.Count > 0 && lines.All(l => l?.GetValueKind() == JsonValueKind.String) =>
                string.Join('\n', lines.Select(l => l!.GetValue<string>())) + "\n",
            JsonArray rows when rows.Count > 0 && rows.All(IsRow) =>
                ScoreRows.ToText(model, rows.Select(r => r!.AsArray().Select(c => c!.GetValue<double>()).ToList())),
            _ => throw JsonRequest.WrongType("data", "text, an array of lines or an array of rows of numbers"),
        };
        return text.Trim().Length > 0 ? text : throw ApiError.BadField("data", "Invalid value for 'data': it is empty.", "invalid_value");
    }

    private static bool IsRow(JsonNode? row) =>
        row is JsonArray cells && cells.Count > 0 && cells.All(c => c?.GetValueKind() == JsonValueKind.Number);
}
