using Loom.Core;
using Loom.Models.Language;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Recurrent;

/// <summary>
/// Character/token language model: embedding → stacked LSTM or GRU → linear head. Keys <c>embed</c>, <c>rnn</c>,
/// <c>head</c>. Left padding is handled exactly: where the mask is 0 the hidden state is carried through unchanged,
/// so a padded row ends in the state it would reach alone.
/// </summary>
public sealed class RecurrentLanguageModel : nn.Module, ICausalLanguageModel
{
    private readonly Embedding embed;
    private readonly LSTM? lstm;
    private readonly GRU? gru;
    private readonly Dropout dropout;
    private readonly Linear head;

    public RecurrentLanguageModel(RecurrentConfig config, long seed = 0) : base("rnn_lm")
    {
        config.Validate();
        Config = config;
        embed = nn.Embedding(config.VocabSize, config.EmbeddingWidth);
        register_module("embed", embed);
        double between = config.Layers > 1 ? config.Dropout : 0;
        if (config.Cell == RecurrentCell.Lstm)
            register_module("rnn", lstm = nn.LSTM(config.EmbeddingWidth, config.Hidden, config.Layers, batchFirst: true, dropout: between));
        else
            register_module("rnn", gru = nn.GRU(config.EmbeddingWidth, config.Hidden, config.Layers, batchFirst: true, dropout: between));
        dropout = nn.Dropout(config.Dropout);
        head = nn.Linear(config.Hidden, config.VocabSize);
        register_module("dropout", dropout);
        register_module("head", head);
        Initialize(seed);
    }

    public RecurrentConfig Config { get; }
    public int VocabSize => Config.VocabSize;
    public int MaxSequenceLength => int.MaxValue;

    public IDecoderState CreateState(int batch, int capacity)
    {
        using var scope = torch.NewDisposeScope();   // the weight getter makes a new handle; the state's tensors are detached
        var device = head.weight!.device;
        var zeros = torch.zeros(Config.Layers, batch, Config.Hidden, device: device);
        return new RecurrentState(zeros, Config.Cell == RecurrentCell.Lstm
            ? torch.zeros(Config.Layers, batch, Config.Hidden, device: device) : null, capacity);
    }

    public Tensor Forward(Tensor tokens, Tensor? attentionMask = null, IDecoderState? state = null)
    {
        using var scope = torch.NewDisposeScope();
        var recurrent = state switch
        {
            null => null,
            RecurrentState s => s,
            _ => throw new LoomUsageException($"rnn: a {state.GetType().Name} is not a recurrent state"),
        };
        long b = tokens.shape[0], t = tokens.shape[1];
        var device = head.weight!.device;
        var x = embed.forward(tokens.to(device));
        Tensor h = recurrent?.Hidden ?? torch.zeros(Config.Layers, b, Config.Hidden, device: device);
        Tensor? c =
            Config.Cell == RecurrentCell.Lstm ? recurrent?.Cell ?? torch.zeros(Config.Layers, b, Config.Hidden, device: device) : null;
        Tensor outputs;
        var newMask = attentionMask?.narrow(1, attentionMask.shape[1] - t, t).to(device);
        if (newMask is null || newMask.eq(1).all().ToBoolean())
            (outputs, h, c) = Run(x, h, c);
        else
        {
            // Step by step so padding positions leave the state untouched.
            var steps = new List<Tensor>();
            for (long i = 0; i < t; i++)
            {
                var (o, h2, c2) = Run(x.narrow(1, i, 1), h, c);
                var keep = newMask.narrow(1, i, 1).to(ScalarType.Bool).view(1, b, 1);
                h = torch.where(keep, h2, h);
                if (c is not null) c = torch.where(keep, c2!, c);
                steps.Add(o);
            }
            outputs = torch.cat(steps, 1);
        }
        recurrent?.Update(h, c, (int)t);
        return head.forward(dropout.forward(outputs)).MoveToOuterDisposeScope();
    }

    private (Tensor Output, Tensor Hidden, Tensor? Cell) Run(Tensor x, Tensor h, Tensor? c)
    {
        if (lstm is not null)
        {
            var (o, h2, c2) = lstm.forward(x, (h, c!));
            return (o, h2, c2);
        }
        var (output, hidden) = gru!.forward(x, h);
        return (output, hidden, null);
    }

    /// <summary>Embedding N(0, 1); recurrent weights keep libtorch's uniform init (drawn under the seed); head N(0, 0.02), zero
    /// bias.</summary>
    private void Initialize(long seed)
    {
        using var noGrad = torch.no_grad();
        using var g = Seeding.Generator(seed, "rnn-init");
        embed.weight!.normal_(0, 1, generator: g);
        double bound = 1 / Math.Sqrt(Config.Hidden);
        foreach (var (name, p) in named_parameters())
            if (name.StartsWith("rnn.", StringComparison.Ordinal))
                p.uniform_(-bound, bound, generator: g);
        head.weight!.normal_(0, 0.02, generator: g);
        head.bias!.zero_();
    }
}
