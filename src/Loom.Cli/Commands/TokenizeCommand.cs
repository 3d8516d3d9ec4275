using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Loom.Core;
using Loom.Data;
using Loom.Text.Tokenizers;
using Loom.Text.Tokenizers.Hf;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom tokenize TOKENIZER (--text T | --file F | --decode 1,2,3) [--json] [--no-special] [--add-special]</c>: the ids a
/// tokenizer.json (or a folder holding one, e.g. an HF model folder) gives a text, or the text some ids decode to.
/// </summary>
public static class TokenizeCommand
{
    public static Command Create()
    {
        var tokenizer = new Argument<string>("tokenizer") { Description = "A tokenizer.json file or a folder holding one" };
        var text = new Option<string?>("--text") { Description = "The text to encode" };
        var file = new Option<string?>("--file") { Description = "A UTF-8 file whose text to encode" };
        var decode = new Option<string?>("--decode") { Description = "Comma-separated ids to decode instead, e.g. 1,2,3" };
        var json = new Option<bool>("--json") { Description = "Print a JSON object with the ids and their token strings" };
        var noSpecial = new Option<bool>("--no-special")
        {
            Description = "Encode special-token text as ordinary text; with --decode, leave special tokens out",
        };
        var addSpecial = new Option<bool>("--add-special")
        {
            Description = "Also add what the post-processor adds (e.g. a BOS id), as HF's add_special_tokens=True",
        };
        var command = new Command("tokenize", "Encode text with a tokenizer.json (Loom's or an HF model's), or decode ids")
        {
            tokenizer, text, file, decode, json, noSpecial, addSpecial,
        };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var inputs = new[] { parse.GetValue(text) is not null, parse.GetValue(file) is not null, parse.GetValue(decode) is not null };
            if (inputs.Count(given => given) != 1)
                throw new LoomUsageException("tokenize: give exactly one of --text, --file or --decode");
            var loaded = TokenizerFiles.Load(parse.GetValue(tokenizer)!);
            bool special = !parse.GetValue(noSpecial);
            if (parse.GetValue(decode) is { } list)
            {
                output.WriteLine(loaded.Decode(ParseIds(list), skipSpecial: !special));
                return 0;
            }
            var input = parse.GetValue(text) ?? TextFile.Read(parse.GetValue(file)!);
            var ids = loaded is HfTokenizer hf && parse.GetValue(addSpecial)
                ? hf.Encode(input, special, addSpecialTokens: true)
                : loaded.Encode(input, special);
            output.WriteLine(parse.GetValue(json)
                ? JsonSerializer.Serialize(new { ids, tokens = ids.Select(id => TokenText(loaded, id)) })
                : string.Join(' ', ids));
            return 0;
        });
        return command;
    }

    private static int[] ParseIds(string list) => list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Select(part => int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id
            : throw new LoomUsageException($"--decode: '{part}' is not a token id (expected comma-separated integers ≥ 0)"))
        .ToArray();

    /// <summary>The token's own spelling where the tokenizer has one (byte-level "Ġ" forms included), else its decoded text.</summary>
    private static string TokenText(ITokenizer tokenizer, int id) => tokenizer switch
    {
        HfTokenizer hf => hf.IdToToken(id) ?? "",
        ByteLevelBpeTokenizer bpe => bpe.IdToToken(id) ?? "",
        _ => tokenizer.Decode([id]),
    };
}
