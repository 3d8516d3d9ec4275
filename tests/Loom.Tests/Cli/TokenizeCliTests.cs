using System.Text.Json;
using Loom.Tests.Support;
using Loom.Tests.Text.Tokenizers.Hf;

namespace Loom.Tests.Cli;

/// <summary><c>loom tokenize</c> on the real Llama 2 tokenizer.json: ids equal the library's, JSON output, decoding,
/// --no-special and --add-special, and one-line errors for bad input.</summary>
public class TokenizeCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-tokenize");

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    [Fact]
    public void EncodesDecodesAndPrintsJson()
    {
        var path = HfPeerModels.TokenizerPath("llama2");
        var library = HfPeerModels.Load("llama2");
        const string text = "Hello <s> wörld 😀";

        var plain = Loom("tokenize", path, "--text", text);
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.Equal(string.Join(' ', library.Encode(text)), plain.Stdout.Trim());

        var noSpecial = Loom("tokenize", path, "--text", text, "--no-special", "--add-special");
        Assert.Equal(string.Join(' ', library.Encode(text, allowSpecial: false, addSpecialTokens: true)), noSpecial.Stdout.Trim());
        Assert.StartsWith("1 ", noSpecial.Stdout);

        File.WriteAllText(Path.Combine(work, "in.txt"), text);
        var json = Loom("tokenize", Path.GetDirectoryName(path)!, "--file", "in.txt", "--json");
        using var doc = JsonDocument.Parse(json.Stdout);
        Assert.Equal(library.Encode(text), doc.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("▁Hello", doc.RootElement.GetProperty("tokens")[0].GetString());

        // Legacy Llama 2 puts "▁" before the text after a special token, so decoding gives two spaces after "<s>".
        var ids = library.Encode(text);
        Assert.Equal("Hello <s>  wörld 😀", library.Decode(ids));
        Assert.Equal(library.Decode(ids), Loom("tokenize", path, "--decode", string.Join(',', ids)).Stdout.TrimEnd('\n'));
        Assert.Equal("Hello   wörld 😀", Loom("tokenize", path, "--decode", string.Join(", ", ids), "--no-special").Stdout.TrimEnd('\n'));
    }

    [Fact]
    public void BadInputGetsOneLine()
    {
        var path = HfPeerModels.TokenizerPath("llama2");
        CliAssert.OneLineError(Loom("tokenize", path), 2, "exactly one of --text, --file or --decode");
        CliAssert.OneLineError(Loom("tokenize", path, "--decode", "1,x"), 2, "'x' is not a token id");
        CliAssert.OneLineError(Loom("tokenize", path, "--decode", "99999999"), 1, "token id 99999999 is not in");
        CliAssert.OneLineError(Loom("tokenize", "no-such-folder", "--text", "a"), 1, "no tokenizer.json there");
        File.WriteAllText(Path.Combine(work, "tokenizer.json"),
            """{"model": {"type": "BPE", "vocab": {}, "merges": []}, "pre_tokenizer": {"type": "UnicodeScripts"}}""");
        CliAssert.OneLineError(Loom("tokenize", work, "--text", "a"), 1, "pre_tokenizer 'UnicodeScripts' is not supported");
    }
}
