using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;

namespace Loom.Models.Recurrent;

/// <summary>The recurrent cell of a <see cref="RecurrentLanguageModel"/>.</summary>
public enum RecurrentCell
{
    Lstm,
    Gru,
}

/// <summary>Hyperparameters of a recurrent language model: embedding → stacked LSTM/GRU → linear head.</summary>
public sealed record RecurrentConfig
{
    public RecurrentCell Cell { get; init; } = RecurrentCell.Gru;
    public int VocabSize { get; init; } = 27;
    public int EmbeddingWidth { get; init; } = 64;
    public int Hidden { get; init; } = 256;
    public int Layers { get; init; } = 1;
    public double Dropout { get; init; }

    public void Validate()
    {
        if (VocabSize < 2) throw new LoomUsageException($"rnn: vocabulary size must be at least 2, got {VocabSize}");
        if (EmbeddingWidth < 1) throw LoomUsageException.ForOption(nameof(EmbeddingWidth), $"must be at least 1, got {EmbeddingWidth}");
        if (Hidden < 1) throw LoomUsageException.ForOption(nameof(Hidden), $"must be at least 1, got {Hidden}");
        if (Layers < 1) throw LoomUsageException.ForOption(nameof(Layers), $"must be at least 1, got {Layers}");
        if (Dropout is < 0 or >= 1) throw LoomUsageException.ForOption(nameof(Dropout), $"must be in [0, 1), got {Dropout}");
    }

    public JsonObject ToJson() => new()
    {
        ["cell"] = Cell.ToString().ToLowerInvariant(),
        ["vocab_size"] = VocabSize,
        ["embedding_width"] = EmbeddingWidth,
        ["hidden"] = Hidden,
        ["layers"] = Layers,
        ["dropout"] = Dropout,
    };

    /// <summary>Reads a saved config strictly (<see cref="ConfigValues"/>): every value typed and in range.</summary>
    public static RecurrentConfig FromJson(JsonObject json)
    {
        var v = new ConfigValues(json, "rnn config");
        var config = new RecurrentConfig
        {
            Cell = v.String("cell") switch
            {
                "lstm" => RecurrentCell.Lstm,
                "gru" => RecurrentCell.Gru,
                var c => throw new LoomDataException($"rnn config: unknown cell '{c}'"),
            },
            VocabSize = v.Int("vocab_size", 1, 1 << 24),
            EmbeddingWidth = v.Int("embedding_width", 1, 1 << 16),
            Hidden = v.Int("hidden", 1, 1 << 16),
            Layers = v.Int("layers", 1, 1024),
            Dropout = v.Double("dropout", 0, 1),
        };
        config.Validate();
        return config;
    }

    /// <summary>A lower bound on the weights (embedding, one recurrent matrix per layer), checked before building.</summary>
    public double MinimumParameters() => (double)VocabSize * EmbeddingWidth + (double)Layers * Hidden * Hidden;
}
