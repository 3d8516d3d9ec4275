using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data;
using Loom.Models.Recurrent;
using Loom.Models.Transformer;
using Loom.Text.Decoding;
using Loom.Text.Generation;
using Loom.Text.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Language;

/// <summary>
/// A trained neural language model as a checkpoint holds it: the network (transformer or RNN), its tokenizer, how its
/// training text was laid out (stream or lines), and the token generation starts from. Sampling goes through the
/// shared <see cref="TextGenerator"/>; scoring reports nats per token and per character.
/// </summary>
public sealed class NeuralLanguageModel : IGenerativeModel, ILikelihoodModel, ITextGenerationModel, IProgressiveSampler
{
    public NeuralLanguageModel(string kind, nn.Module network, ITokenizer tokenizer, SequenceLayout layout, int startTokenId,
        IReadOnlyList<int>? eosTokenIds = null)
    {
        if (network is not ICausalLanguageModel)
            throw new ArgumentException("the network must implement ICausalLanguageModel", nameof(network));
        Kind = kind;
        Network = network;
        Tokenizer = tokenizer;
        Layout = layout;
        StartTokenId = startTokenId;
        EosTokenIds = eosTokenIds ?? [];
    }

    public string Kind { get; }
    public nn.Module Network { get; }
    public ICausalLanguageModel Causal => (ICausalLanguageModel)Network;
    public ITokenizer Tokenizer { get; }
    public SequenceLayout Layout { get; }
    /// <summary>Token a sample starts from when there is no prompt (the line delimiter, or the first token of a newline).</summary>
    public int StartTokenId { get; }
    /// <summary>Ids that end a sample besides the tokenizer's end id (an HF model's <c>eos_token_id</c> list); often empty.</summary>
    public IReadOnlyList<int> EosTokenIds { get; }

    /// <summary>The decoding engine over this model.</summary>
    public TextGenerator CreateGenerator() => new(Causal, Tokenizer, StartTokenId);

    /// <summary>
    /// Decoding defaults the checkpoint declares (a Loom checkpoint's <c>generation.json</c>, an HF folder's
    /// <c>generation_config.json</c>), or null; <see cref="IO.Checkpoints.Checkpoint.Load"/> sets them.
    /// </summary>
    public GenerationSettings? GenerationDefaults { get; set; }

    /// <summary>The file beside a Loom checkpoint that holds its decoding defaults.</summary>
    public const string GenerationFile = "generation.json";

    /// <summary>
    /// Default generation settings for up to <paramref name="maxNewTokens"/>: <see cref="GenerationDefaults"/> when the
    /// checkpoint has them, else sampling at temperature 1; a line model's sample ends at its delimiter, and the model's end
    /// tokens always stop.
    /// </summary>
    public GenerationSettings DefaultSettings(int maxNewTokens = 200)
    {
        var settings = GenerationDefaults?.Clone() ?? new GenerationSettings { DoSample = true };
        settings.MaxNewTokens = maxNewTokens;
        if (Layout == SequenceLayout.Lines) settings.EosTokenIds.Add(StartTokenId);
        else if (Tokenizer.EosId is { } eos) settings.EosTokenIds.Add(eos);
        foreach (var id in EosTokenIds.Where(id => !settings.EosTokenIds.Contains(id))) settings.EosTokenIds.Add(id);
        return settings;
    }

    public SampleSet Sample(SampleRequest request) => Sample(request, null, CancellationToken.None);

    /// <summary>
    /// Samples <see cref="SampleRequest.Count"/> continuations of the prompt with the model's default settings, or with
    /// the <see cref="GenerationSettings"/> among the request's options (the request's seed and temperature still apply;
    /// its length applies to the defaults). Stops between tokens when <paramref name="cancellation"/> is cancelled.
    /// </summary>
    public SampleSet Sample(SampleRequest request, IProgress<SampleProgress>? progress, CancellationToken cancellation)
    {
        var settings = request.Get<GenerationSettings>()?.Clone() ?? DefaultSettings(request.Length);
        settings.Temperature = request.Temperature;
        settings.Seed = request.Seed;
        Network.eval();
        var prompt = request.Prompt ?? "";
        var outputs = CreateGenerator().Generate(Enumerable.Repeat(prompt, request.Count).ToList(), settings, cancellation);
        progress?.Report(new SampleProgress(request.Count, request.Count, "sample"));
        return new TextSamples(outputs.Select(o => prompt + o.Text).ToList());
    }

    public ScoreReport Score(string dataPath, CancellationToken cancellation = default) =>
        ScoreContent(TextFile.Read(dataPath), dataPath, cancellation);

    public ScoreReport ScoreContent(string data, string source = "data", CancellationToken cancellation = default) =>
        data.Length == 0 ? throw new LoomDataException($"{source}: no text to score") : ScoreText(data);

    private ScoreReport ScoreText(string text)
    {
        Network.eval();
        int context = Math.Min(Causal.MaxSequenceLength, 1024);
        LanguageModelData data;
        long characters;
        if (Layout == SequenceLayout.Lines)
        {
            var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
            data = LanguageModelData.ForScoring(lines.Select(l => Tokenizer.Encode(l)).ToList(), StartTokenId);
            characters = lines.Sum(l => (long)l.Length + 1);
            context = Math.Max(1, data.LongestLine);
        }
        else
        {
            data = LanguageModelData.ForScoring(Tokenizer.Encode(text));
            characters = text.Length;
        }
        var (nats, tokens) = LanguageModelTraining.ExactLoss(Network, data, true, context);
        var scoredCharacters = Layout == SequenceLayout.Lines ? characters : characters * tokens / Math.Max(1, data.ValidationTokens);
        var extra = new Dictionary<string, double>
        {
            ["tokens"] = tokens,
            ["nats_per_char"] = nats / Math.Max(1, scoredCharacters),
            ["bits_per_char"] = nats / Math.Max(1, scoredCharacters) / Math.Log(2),
        };
        return new ScoreReport(nats, tokens, Tokenizer.Kind == "char" ? "char" : "token", extra);
    }

    public JsonObject GetConfig()
    {
        JsonObject network = Network switch
        {
            DecoderTransformer t => t.Config.ToJson(),
            RecurrentLanguageModel r => r.Config.ToJson(),
            _ => throw new LoomException($"{Kind}: unknown network type"),
        };
        var config = new JsonObject
        {
            ["network"] = network,
            ["layout"] = Layout.ToString().ToLowerInvariant(),
            ["start_token"] = StartTokenId,
            ["tokenizer"] = TokenizerJsonNode.Capture(Tokenizer),
        };
        if (Quantization.LayerQuantization.OptionsOf(Network) is { } quantization)
            config["quantization"] = quantization.ToJson();
        if (EosTokenIds.Count > 0)
            config["eos_token_ids"] = new JsonArray(EosTokenIds.Select(id => (JsonNode)id).ToArray());
        return config;
    }

    public IReadOnlyDictionary<string, Tensor> GetState() =>
        Network.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter, StringComparer.Ordinal);

    public void Dispose() => Network.Dispose();
}
