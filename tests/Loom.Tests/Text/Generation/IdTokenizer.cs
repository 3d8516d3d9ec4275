using Loom.Text.Tokenizers;

namespace Loom.Tests.Text.Generation;

/// <summary>A test tokenizer over raw ids: token k is the text "⟨k⟩"; Encode parses that notation back.</summary>
internal sealed class IdTokenizer(int vocab) : ITokenizer
{
    public string Kind => "ids";
    public int VocabSize => vocab;
    public IReadOnlyDictionary<string, int> SpecialTokens { get; } = new Dictionary<string, int>();
    public int? BosId => null;
    public int? EosId => null;

    public static string Text(IEnumerable<long> ids) => string.Concat(ids.Select(i => $"⟨{i}⟩"));

    public int[] Encode(string text, bool allowSpecial = true) =>
        text.Split('⟨', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => int.Parse(p.TrimEnd('⟩'), System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    public string Decode(IReadOnlyList<int> ids, bool skipSpecial = false) => Text(ids.Select(i => (long)i));
    public byte[] DecodeBytes(IReadOnlyList<int> ids) => System.Text.Encoding.UTF8.GetBytes(Decode(ids));
    public void Save(string folder) => throw new NotSupportedException();
}
