using Loom.Core;
using Loom.Models.Language;
using Loom.Models.Transformer.FusedDecode;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Transformer;

/// <summary>
/// One decoder-only transformer, GPT-2 or Llama style (<see cref="TransformerConfig.Style"/>). Its state-dict keys are
/// the HF keys of that style (<c>transformer.h.0.attn.c_attn.weight</c> …, <c>model.layers.0.self_attn.q_proj.weight</c> …),
/// so HF checkpoints load into it and its own checkpoints read like theirs; the Llama style's options cover Mistral,
/// Qwen2, Qwen3, Gemma and Phi-3 (<see cref="HfTransformerConfig"/>).
/// Read top to bottom: embed tokens (+ learned positions for GPT-2; × √width for Gemma), run the blocks with a shared
/// attention context, normalize, project to the vocabulary (tied to the embedding when configured).
/// </summary>
public sealed class DecoderTransformer : nn.Module, ICausalLanguageModel
{
    private readonly Embedding tokenEmbedding;
    private readonly Embedding? positionEmbedding;
    private readonly Dropout embeddingDropout;
    private readonly ITransformerBlock[] blocks;
    private readonly nn.Module<Tensor, Tensor> finalNorm;
    private readonly nn.Module<Tensor, Tensor> head;
    private readonly RotaryEmbedding? rotary;
    private Gpt2FusedDecode? fusedDecode;
    private Gpt2Block[]? fusedBlocks;   // the blocks as the fused step takes them (GPT-2 style: all Gpt2Block)

    /// <param name="config">The architecture.</param>
    /// <param name="seed">Seeds the initial weights.</param>
    /// <param name="dtype">The dtype of the weights and of compute (float32, bfloat16 or float16). Every parameter is
    /// made in it, so a half-precision network never exists in float32.</param>
    public DecoderTransformer(TransformerConfig config, long seed = 0, ScalarType dtype = ScalarType.Float32)
        : base("decoder_transformer")
    {
        config.Validate();
        Config = config;
        ComputeDtype.Name(dtype);   // throws naming Dtype for anything but float32, bfloat16 or float16
        embeddingDropout = nn.Dropout(config.Dropout);
        if (config.Style == TransformerStyle.Gpt2)
        {
            tokenEmbedding = nn.Embedding(config.VocabSize, config.Width, dtype: dtype);
            positionEmbedding = nn.Embedding(config.ContextLength, config.Width, dtype: dtype);
            var layers = Enumerable.Range(0, config.Layers).Select(_ => new Gpt2Block(config, dtype)).ToArray();
            blocks = layers;
            finalNorm = nn.LayerNorm(config.Width, config.NormEps, bias: config.Bias, dtype: dtype);
            var transformer = new Container("transformer");
            transformer.Add("wte", tokenEmbedding).Add("wpe", positionEmbedding).Add("drop", embeddingDropout)
                .Add("h", nn.ModuleList<nn.Module>(layers)).Add("ln_f", finalNorm);
            register_module("transformer", transformer);
        }
        else
        {
            tokenEmbedding = nn.Embedding(config.VocabSize, config.Width, dtype: dtype);
            var layers = Enumerable.Range(0, config.Layers).Select(_ => new LlamaBlock(config, dtype)).ToArray();
            blocks = layers;
            finalNorm = new RmsNorm(config.Width, config.NormEps, config.NormWeightPlusOne, dtype);
            rotary = new RotaryEmbedding(config.HeadDim, config.RopeTheta, config.RopeScaling);
            var model = new Container("model");
            model.Add("embed_tokens", tokenEmbedding).Add("drop", embeddingDropout)
                .Add("layers", nn.ModuleList<nn.Module>(layers)).Add("norm", finalNorm);
            register_module("model", model);
        }
        head = config.TieEmbeddings
            ? new TiedOutputHead(tokenEmbedding)
            : nn.Linear(config.Width, config.VocabSize, hasBias: false, dtype: dtype);
        register_module("lm_head", head);   // the tied head owns no tensors, so the state dict keeps the embedding once
        Initialize(seed);
    }

    public TransformerConfig Config { get; }

    /// <summary>
    /// Whether a batch-1, one-token step of a GPT-2-style model with a KV cache on the CPU in float32 (greedy or sampled
    /// decoding after the prompt) runs as one fused managed pass over the weights (<see cref="Gpt2FusedDecode"/>) instead of
    /// libtorch kernels. Same logits to float32 rounding; on by default; steps it cannot serve take the libtorch path.
    /// </summary>
    public bool FusedCpuDecode { get; set; } = true;

    /// <summary>How many forward passes the fused CPU decode has served (<see cref="FusedCpuDecode"/>).</summary>
    public long FusedDecodeSteps { get; private set; }
    public int VocabSize => Config.VocabSize;
    public int MaxSequenceLength => Config.ContextLength;

    public IDecoderState CreateState(int batch, int capacity)
    {
        if (capacity > Config.ContextLength)
            throw new LoomUsageException($"KV cache: {capacity} tokens exceed the model's context of {Config.ContextLength}");
        using var scope = torch.NewDisposeScope();   // the weight getter makes a new handle; the cache's tensors are detached
        var weight = tokenEmbedding.weight!;
        return new KvCache(Config.Layers, batch, Config.KvHeads, capacity, Config.HeadDim, weight.dtype, weight.device);
    }

    public Tensor Forward(Tensor tokens, Tensor? attentionMask = null, IDecoderState? state = null)
    {
        using var scope = torch.NewDisposeScope();
        if (FusedCpuDecode && TryFusedStep(tokens, attentionMask, state) is { } fused)
            return fused.MoveToOuterDisposeScope();
        var x = HiddenStates(tokens, attentionMask, state);
        var logits = head.call(x);
        return logits.MoveToOuterDisposeScope();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private Tensor? TryFusedStep(Tensor tokens, Tensor? attentionMask, IDecoderState? state)
    {
        var cache = state as KvCache;
        if (positionEmbedding is null || finalNorm is not LayerNorm norm
            || tokenEmbedding.weight is not { } tokenTable || !Gpt2FusedDecode.Applies(this, tokens, attentionMask, cache, tokenTable))
            return null;
        if (cache!.Length + 1 > Config.ContextLength) return null;   // the libtorch path says why
        long token = tokens.cpu().item<long>();
        if (token < 0 || token >= Config.VocabSize) return null;   // the embedding's own error names the bad id
        fusedDecode ??= new Gpt2FusedDecode(Config);
        fusedBlocks ??= blocks.Cast<Gpt2Block>().ToArray();
        var logits = fusedDecode.TryStep(token, cache, tokenEmbedding, tokenTable, positionEmbedding, fusedBlocks, norm, head);
        if (logits is null) return null;
        cache.Advance(1);
        FusedDecodeSteps++;
        return logits;
    }

    /// <summary>
    /// The last layer's normalised hidden states [B, T, width] of <paramref name="tokens"/> (what the output head reads;
    /// the input of embeddings). Same arguments as <see cref="Forward"/>.
    /// </summary>
    public Tensor HiddenStates(Tensor tokens, Tensor? attentionMask = null, IDecoderState? state = null)
    {
        using var scope = torch.NewDisposeScope();
        var cache = state switch
        {
            null => null,
            KvCache c => c,
            _ => throw new LoomUsageException($"transformer: a {state.GetType().Name} is not a KV cache"),
        };
        long b = tokens.shape[0], t = tokens.shape[1], past = cache?.Length ?? 0;
        if (past + t > Config.ContextLength)
            throw new LoomUsageException($"transformer: {past + t} tokens exceed the context length {Config.ContextLength}");
        var device = tokenEmbedding.weight!.device;
        tokens = tokens.to(device);
        if (attentionMask is not null && attentionMask.shape[1] != past + t)
            throw new LoomUsageException($"transformer: the attention mask covers {attentionMask.shape[1]} tokens, expected {past + t}");
        bool padded = attentionMask is not null && attentionMask.eq(0).any().ToBoolean();
        var positions = padded
            ? CausalMasks.PositionIds(attentionMask!.to(device), t)
            : torch.arange(past, past + t, device: device).unsqueeze(0).expand(b, t);
        Tensor? mask = padded || (past > 0 && t > 1)
            ? CausalMasks.Attention(attentionMask ?? torch.ones(b, past + t, ScalarType.Int64, device), t, device)
            : null;
        if (Config.SlidingWindow > 0 && past + t > Config.SlidingWindow)
            mask = SlidingWindowMask.Restrict(
                mask ?? CausalMasks.Attention(torch.ones(b, past + t, ScalarType.Int64, device), t, device), Config.SlidingWindow);

        var x = tokenEmbedding.call(tokens);
        if (Config.ScaleEmbeddings)   // HF keeps √width as a float32 buffer and casts it to the weights' dtype
            x = x * torch.tensor((float)Math.Sqrt(Config.Width), ScalarType.Float32, device).to(x.dtype);
        AttentionContext context;
        if (positionEmbedding is not null)
        {
            x = x + positionEmbedding.call(positions);
            context = new AttentionContext(mask, cache);
        }
        else
        {
            var (cos, sin) = rotary!.Angles(positions, x.dtype);
            context = new AttentionContext(mask, cache, cos, sin);
        }
        if (training)   // dropout is the identity in evaluation; skipping the call saves a kernel per decode step
            x = embeddingDropout.call(x);
        for (int i = 0; i < blocks.Length; i++)
            x = blocks[i].Forward(x, context, i);
        cache?.Advance((int)t);
        return finalNorm.call(x).MoveToOuterDisposeScope();
    }

    /// <summary>Mean next-token cross-entropy (nats) of <paramref name="tokens"/> [B, T] against <paramref name="targets"/> [B,
    /// T].</summary>
    public Tensor Loss(Tensor tokens, Tensor targets)
    {
        using var scope = torch.NewDisposeScope();
        var logits = Forward(tokens);
        var loss = nn.functional.cross_entropy(logits.view(-1, Config.VocabSize), targets.to(logits.device).view(-1));
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Copies tensors named by HF keys into the parameters. Every parameter must be present with its shape; extra keys
    /// (HF's <c>lm_head.weight</c> beside tied embeddings, rotary buffers) are ignored only when listed as such.
    /// </summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state, string source)
    {
        var names = ModuleParameters.CopyFrom(this, state, source);
        var unexpected = state.Keys.Where(k => !names.Contains(k) && !IsIgnorableKey(k)).ToList();
        if (unexpected.Count > 0)
            throw new LoomDataException($"{source}: unexpected tensors "
                + $"{string.Join(", ", unexpected.Take(5))}{(unexpected.Count > 5 ? ", …" : "")}; does the config match the weights?");
    }

    /// <summary>Keys HF files hold that are not parameters here: a tied head, attention-mask buffers, rotary caches.</summary>
    public bool IsIgnorableKey(string key) =>
        (Config.TieEmbeddings && key == "lm_head.weight") || key.EndsWith(".attn.bias", StringComparison.Ordinal)
        || key.EndsWith(".attn.masked_bias", StringComparison.Ordinal) || key.EndsWith("rotary_emb.inv_freq", StringComparison.Ordinal);

    /// <summary>Parameters by HF key (the tied head is the embedding, so it appears once).</summary>
    public IReadOnlyDictionary<string, Tensor> StateByKey() =>
        named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter, StringComparer.Ordinal);

    /// <summary>GPT-2's initialization: N(0, 0.02) weights and embeddings, zero biases, residual projections N(0,
    /// 0.02/√(2·layers)).</summary>
    private void Initialize(long seed)
    {
        using var noGrad = torch.no_grad();
        using var g = Seeding.Generator(seed, "transformer-init");
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith(".bias", StringComparison.Ordinal))
                p.zero_();
            else if (name.EndsWith("norm.weight", StringComparison.Ordinal) || name.Contains(".ln_", StringComparison.Ordinal)
                || name.EndsWith("ln_f.weight", StringComparison.Ordinal))
                p.fill_(Config.NormWeightPlusOne ? 0 : 1);   // Gemma's norms scale by 1 + weight
            else
                p.normal_(0, 0.02, generator: g);
        }
        double residualStd = 0.02 / Math.Sqrt(2.0 * Config.Layers);
        foreach (var p in blocks.SelectMany(b => b.ResidualProjections))
            p.normal_(0, residualStd, generator: g);
    }

    /// <summary>A named holder of submodules, so keys nest as HF's do (<c>transformer.wte</c>, <c>model.layers</c>).</summary>
    private sealed class Container(string name) : nn.Module(name)
    {
        public Container Add(string key, nn.Module module)
        {
            register_module(key, module);
            return this;
        }
    }
}
