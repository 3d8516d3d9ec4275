using System.Text.Json.Nodes;
using Loom.IO;

namespace Loom.Text.Tokenizers;

/// <summary>
/// A tokenizer as a JSON node inside a checkpoint's config.json (the content of the tokenizer.json that
/// <see cref="ITokenizer.Save"/> writes), so a checkpoint folder carries its tokenizer in the file written last.
/// </summary>
public static class TokenizerJsonNode
{
    public static JsonObject Capture(ITokenizer tokenizer)
    {
        var folder = Directory.CreateTempSubdirectory("loom-tokenizer-").FullName;
        try
        {
            tokenizer.Save(folder);
            return JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "tokenizer.json")))!.AsObject();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public static ITokenizer Restore(JsonObject json)
    {
        var folder = Directory.CreateTempSubdirectory("loom-tokenizer-").FullName;
        try
        {
            AtomicFile.WriteAllText(Path.Combine(folder, "tokenizer.json"), json.ToJsonString());
            return TokenizerFiles.Load(folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
