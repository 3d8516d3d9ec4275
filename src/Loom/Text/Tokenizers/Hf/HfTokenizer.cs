using System.Text;
using Loom.Core;
using Loom.IO;

namespace Loom.Text.Tokenizers.Hf;

/// <summary>The parts of an HF tokenizer.json pipeline (null where the file has none).</summary>
/// <param name="Normalizer">Rewrites text before splitting.</param>
/// <param name="PreTokenizer">Cuts text into pieces.</param>
/// <param name="Model">Encodes each piece.</param>
/// <param name="Decoder">Turns token strings back into text.</param>
/// <param name="PostProcessor">Adds special tokens when asked (HF's add_special_tokens).</param>
/// <param name="AddedTokens">Tokens matched whole before the rest of the pipeline.</param>
public sealed record HfPipeline(
    Normalizer? Normalizer, PreTokenizer? PreTokenizer, TokenModel Model, Decoder? Decoder, PostProcessor? PostProcessor,
    IReadOnlyList<AddedToken> AddedTokens);

/// <summary>A token tokenizer_config.json names for a role (bos_token, eos_token); <paramref name="Content"/> null when
/// the file says null (the model has no such token).</summary>
public sealed record ConfigToken(string? Content);

/// <summary>
/// A tokenizer read from a Hugging Face tokenizer.json (Llama 2/3, Qwen, Gemma, …) that gives the ids HF tokenizers
/// gives: added tokens are cut out first (those with normalized=false on the raw text, the others on the normalized
/// text), each remaining part is normalized, pre-tokenized and encoded by the BPE model. <see cref="Encode(string, bool)"/>
/// adds no special tokens (as every Loom caller expects); <see cref="Encode(string, bool, bool)"/> with
/// addSpecialTokens applies the post-processor too, like HF's <c>add_special_tokens=True</c>. Read one with
/// <see cref="HfTokenizerReader"/> or <see cref="TokenizerFiles.Load"/>.
/// </summary>
public sealed class HfTokenizer : ITokenizer
{
    /// <summary>The <see cref="Kind"/> of every HF pipeline tokenizer.</summary>
    public const string KindName = "hf";

    private readonly HfPipeline _pipeline;
    private readonly AddedTokenSplitter _rawSplitter;
    private readonly AddedTokenSplitter _normalizedSplitter;
    private readonly bool _hasNormalizedAddedTokens;
    private readonly string?[] _tokenById;
    private readonly Dictionary<int, AddedToken> _addedById = [];
    private readonly bool _byteLevelDecoding;
    private readonly Decoder[] _tokenRewriters;
    private readonly IReadOnlyDictionary<string, byte[]> _savedFiles;

    /// <summary>A tokenizer from its pipeline; <paramref name="savedFiles"/> (file name → bytes) is what
    /// <see cref="Save"/> writes back, <paramref name="bosToken"/> and <paramref name="eosToken"/> come from
    /// tokenizer_config.json when it has them (else BOS is the post-processor's first token or a usual name).</summary>
    public HfTokenizer(
        HfPipeline pipeline, IReadOnlyDictionary<string, byte[]> savedFiles, ConfigToken? bosToken = null, ConfigToken? eosToken = null)
    {
        _pipeline = pipeline;
        _savedFiles = savedFiles;
        _rawSplitter = new AddedTokenSplitter(pipeline.AddedTokens.Where(t => !t.Normalized));
        _normalizedSplitter = new AddedTokenSplitter(pipeline.AddedTokens.Where(t => t.Normalized));
        _hasNormalizedAddedTokens = pipeline.AddedTokens.Any(t => t.Normalized);

        var vocab = pipeline.Model.Vocabulary;
        int maxId = Math.Max(vocab.Count == 0 ? -1 : vocab.Values.Max(), pipeline.AddedTokens.Select(t => t.Id).DefaultIfEmpty(-1).Max());
        VocabSize = maxId + 1;
        _tokenById = new string?[VocabSize];
        foreach (var (token, id) in vocab)
            _tokenById[id] = token;
        foreach (var added in pipeline.AddedTokens)
        {
            _tokenById[added.Id] = added.Content;
            _addedById[added.Id] = added;
        }
        SpecialTokens = pipeline.AddedTokens.Where(t => t.Special)
            .GroupBy(t => t.Content).ToDictionary(g => g.Key, g => g.First().Id, StringComparer.Ordinal);
        var (bos, eos) = SpecialTokenRoles.Find(SpecialTokens);
        BosId = bosToken is not null ? TokenId(bosToken.Content) : FirstAddedId(pipeline.PostProcessor) ?? bos;
        EosId = eosToken is not null ? TokenId(eosToken.Content) : eos;
        _tokenRewriters = Flatten(pipeline.Decoder).ToArray();
        _byteLevelDecoding = _tokenRewriters.Any(d => d is ByteLevelDecoder);
    }

    /// <inheritdoc />
    public string Kind => KindName;

    /// <inheritdoc />
    public int VocabSize { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <inheritdoc />
    public int? BosId { get; }

    /// <inheritdoc />
    public int? EosId { get; }

    /// <summary>The pipeline this tokenizer runs.</summary>
    public HfPipeline Pipeline => _pipeline;

    /// <summary>The token string of <paramref name="id"/> (an added token's text), or null for an unused id.</summary>
    public string? IdToToken(int id) => id >= 0 && id < VocabSize ? _tokenById[id] : null;

    /// <inheritdoc />
    public int[] Encode(string text, bool allowSpecial = true) => Encode(text, allowSpecial, addSpecialTokens: false);

    /// <summary>
    /// Encodes <paramref name="text"/>; <paramref name="addSpecialTokens"/> also runs the post-processor (e.g. Llama 2's
    /// leading "&lt;s&gt;"), as HF's <c>encode(text, add_special_tokens=True)</c> does.
    /// </summary>
    public int[] Encode(string text, bool allowSpecial, bool addSpecialTokens)
    {
        var ids = new List<int>(text.Length / 3 + 1);
        foreach (var segment in _rawSplitter.Split(text, allowSpecial))
        {
            if (!segment.IsOrdinary)
            {
                ids.Add(segment.TokenId);
                continue;
            }
            var part = text.Substring(segment.Start, segment.Length);
            var normalized = _pipeline.Normalizer?.Normalize(part) ?? part;
            if (!_hasNormalizedAddedTokens)
            {
                EncodeOrdinary(normalized, segment.Start == 0, ids);
                continue;
            }
            foreach (var inner in _normalizedSplitter.Split(normalized, allowSpecial))
                if (inner.IsOrdinary)
                    EncodeOrdinary(normalized.Substring(inner.Start, inner.Length), segment.Start == 0 && inner.Start == 0, ids);
                else
                    ids.Add(inner.TokenId);
        }
        var result = ids.ToArray();
        return addSpecialTokens && _pipeline.PostProcessor is { } post ? post.Process(result) : result;
    }

    /// <inheritdoc />
    public string Decode(IReadOnlyList<int> ids, bool skipSpecial = false)
    {
        var tokens = new List<string>(ids.Count);
        foreach (var id in ids)
        {
            if (skipSpecial && _addedById.TryGetValue(id, out var added) && added.Special)
                continue;
            tokens.Add(TokenOf(id));
        }
        return _pipeline.Decoder is { } decoder ? string.Concat(decoder.DecodeChain(tokens)) : string.Join(' ', tokens);
    }

    /// <inheritdoc />
    public byte[] DecodeBytes(IReadOnlyList<int> ids)
    {
        var bytes = new List<byte>(ids.Count * 4);
        foreach (var id in ids)
        {
            var token = TokenOf(id);
            bool added = _addedById.ContainsKey(id);
            if (_byteLevelDecoding && !added)
                ByteLevelDecoder.AppendBytes(token, bytes);
            else if (!added && _pipeline.Model.FallbackByte(id) is var b and >= 0)
                bytes.Add((byte)b);
            else if (_byteLevelDecoding)
                bytes.AddRange(Encoding.UTF8.GetBytes(token));
            else
                bytes.AddRange(Encoding.UTF8.GetBytes(_tokenRewriters.Aggregate(token, (t, d) => d.RewriteToken(t))));
        }
        return bytes.ToArray();
    }

    /// <inheritdoc />
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, content) in _savedFiles)
            AtomicFile.WriteAllBytes(Path.Combine(folder, name), content);
    }

    private void EncodeOrdinary(string text, bool atTextStart, List<int> ids)
    {
        if (text.Length == 0)
            return;
        if (_pipeline.PreTokenizer is not { } pre)
        {
            _pipeline.Model.Encode(text, ids);
            return;
        }
        var pieces = new List<string>(8);
        pre.Split(text, atTextStart, pieces);
        foreach (var piece in pieces)
            _pipeline.Model.Encode(piece, ids);
    }

    private string TokenOf(int id) => IdToToken(id)
        ?? throw new LoomDataException($"token id {id} is not in this tokenizer's vocabulary (size {VocabSize})");

    private int? TokenId(string? token) =>
        token is null ? null
            : _pipeline.AddedTokens.FirstOrDefault(t => t.Content == token)?.Id
              ?? (_pipeline.Model.Vocabulary.TryGetValue(token, out var id) ? id : null);

    private static int? FirstAddedId(PostProcessor? post) =>
        post?.Process([]) is { Length: > 0 } affixes ? affixes[0] : null;

    private static IEnumerable<Decoder> Flatten(Decoder? decoder) => decoder switch
    {
        null => [],
        SequenceDecoder sequence => sequence.Decoders.SelectMany(Flatten),
        _ => [decoder],
    };
}
