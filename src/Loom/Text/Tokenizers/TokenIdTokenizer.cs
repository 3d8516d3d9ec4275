using Loom.Core;

namespace Loom.Text.Tokenizers;

/// <summary>
/// The stand-in for a model folder that has no tokenizer (an HF folder without tokenizer.json): prompts must be given
/// as token ids, generated ids decode to empty text, and text cannot be encoded. Knows only the vocabulary size and
/// the begin/end ids the folder declares.
/// </summary>
public sealed class TokenIdTokenizer(string folder, int vocabSize, int? bosId, int? eosId) : ITokenizer
{
    public const string KindName = "ids";

    public string Kind => KindName;
    public int VocabSize { get; } = vocabSize;
    public IReadOnlyDictionary<string, int> SpecialTokens { get; } = new Dictionary<string, int>();
    public int? BosId { get; } = bosId;
    public int? EosId { get; } = eosId;

    public int[] Encode(string text, bool allowSpecial = true) =>
        throw LoomUsageException.ForOption("Prompt",
            $"{folder} has no {TokenizerFiles.FileName}: give the prompt as token ids (PromptIds)");

    public string Decode(IReadOnlyList<int> ids, bool skipSpecial = false) => "";

    public byte[] DecodeBytes(IReadOnlyList<int> ids) => [];

    public void Save(string folder) =>
        throw new LoomUsageException($"{this.folder} has no {TokenizerFiles.FileName} to save; add the model's tokenizer.json first");

    private readonly string folder = folder;
}
