using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Loom.Core;
using Loom.Models.Quantization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Loom.Models.Transformer.FusedDecode;

/// <summary>
/// One batch-1 decode step of a GPT-2-style <see cref="DecoderTransformer"/> on the CPU in float32 as a single pass of
/// managed kernels (<see cref="DecodeKernels"/>) over the weights' and the KV cache's own memory, split across the
/// cores by a <see cref="WorkerTeam"/>: per layer four matrix-vector products split by blocks of weight rows (partial
/// sums added up by the caller) and attention split by heads, then the output head split by vocabulary rows. libtorch
/// runs about 150 kernels per step here, each dispatched separately; this step reads each weight once and synchronizes
/// 31 times. It writes the new keys and
/// values into the same <see cref="KvCache"/> slots the libtorch path does, so the two paths mix freely (the prompt is
/// prefilled by libtorch). It applies only where it computes exactly what the modules would (<see cref="Applies"/>):
/// evaluation, no autograd, Conv1D projections or their int8 / 4-bit <see cref="QuantizedLinear"/> replacements (read in
/// their quantized form by <see cref="QuantizedDecodeKernels"/>), no adapter or hook, float32 activations on the CPU.
/// </summary>
internal sealed unsafe class Gpt2FusedDecode : ITeamWork
{
    private enum Phase { MatVec, Int8Rows, Int4Rows, Attention, Head }

    private readonly TransformerConfig config;
    private readonly int width, mlpWidth, heads, headDim;
    private readonly float* x, normed, qkv, attended, hidden, partials, scores, evenInputs, oddInputs, groupSums;
    private readonly int partialStride;
    private readonly LayerPointers[] layers;
    private readonly List<float[]> pinned = [];   // keeps the buffers' arrays alive (the pointers do not)
    private Phase phase;
    private int layer, position, capacity, vocabulary;
    private float* head, logits, matWeight, matInput, matOutput;
    private int matRows, matCols;
    private bool matAccumulate;
    private Projection matProjection;
    private bool exactGelu;
    private const int SourcesPerBlock = 6 + 4 * 5;   // two norms' weights and biases, the cache's keys and values, 4 × (layer + 4 tensors)
    private object?[] sourcesNow = [], pointerSources = [];   // what the layer pointers come from: this step's, and the cached ones'

    public Gpt2FusedDecode(TransformerConfig config)
    {
        this.config = config;
        width = config.Width;
        mlpWidth = config.MlpWidth;
        heads = config.Heads;
        headDim = config.HeadDim;
        x = Buffer(width);
        normed = Buffer(width);
        qkv = Buffer(3 * width);
        attended = Buffer(width);
        partialStride = Math.Max(3 * width, mlpWidth);
        partials = Buffer(WorkerTeam.DefaultSize * partialStride);
        hidden = Buffer(mlpWidth);
        scores = Buffer(WorkerTeam.DefaultSize * config.ContextLength);
        evenInputs = Buffer(Math.Max(width, mlpWidth) / 2);
        oddInputs = Buffer(Math.Max(width, mlpWidth) / 2);
        groupSums = Buffer(Math.Max(width, mlpWidth));
        layers = new LayerPointers[config.Layers];
    }

    /// <summary>
    /// Whether a step of <paramref name="tokens"/> can run here: one row, one new token, no padding mask, a KV cache
    /// with one active row, no autograd, a GPT-2-style model in float32 on the CPU (module types are checked per step).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Applies(DecoderTransformer model, Tensor tokens, Tensor? attentionMask, KvCache? cache, Tensor embedding)
    {
        if (cache is null || attentionMask is not null || model.training || torch.is_grad_enabled()) return false;
        if (tokens.shape.Length != 2 || tokens.shape[0] != 1 || tokens.shape[1] != 1 || cache.ActiveRows != 1) return false;
        if (model.Config.Style != TransformerStyle.Gpt2 || model.Config.SlidingWindow > 0) return false;
        return embedding.device_type == DeviceType.CPU && embedding.dtype == ScalarType.Float32;
    }

    /// <summary>Logits [1, 1, vocab] after <paramref name="token"/> at the cache's next position; advances nothing (the caller
    /// advances the cache, as after any forward pass).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Tensor? TryStep(long token, KvCache cache, Embedding tokenEmbedding, Tensor tokenTableWeight, Embedding positionEmbedding,
        IReadOnlyList<Gpt2Block> blocks, LayerNorm finalNorm, nn.Module<Tensor, Tensor> outputHead)
    {
        if (!Monitor.TryEnter(this)) return null;   // another thread decodes with this model: the libtorch path serves it
        try
        {
            using var scope = torch.NewDisposeScope();
            float* headWeight, finalWeight, finalBias, tokenTable, positionTable;
            try
            {
                if (!CollectPointers(cache, blocks)) return null;
                if (ModuleHooks.AnyHasForwardHooks(tokenEmbedding, positionEmbedding, finalNorm, outputHead)) return null;
                tokenTable = Pointer(tokenTableWeight);   // the token embedding's weight (its getter makes a handle per call)
                headWeight = outputHead switch
                {
                    TiedOutputHead => tokenTable,
                    Linear { bias: null } linear => Pointer(linear.weight!),
                    _ => null,
                };
                finalWeight = Pointer(finalNorm.weight!);
                finalBias = OptionalPointer(finalNorm.bias);
                positionTable = Pointer(positionEmbedding.weight!);
            }
            catch (NotSupportedException)
            {
                return null;
            }
            if (headWeight is null) return null;
            position = cache.Length;
            capacity = cache.Capacity;
            vocabulary = config.VocabSize;
            VectorKernels.Add(tokenTable + token * width, positionTable + (long)position * width, x, width);
            var team = WorkerTeam.Rent();
            try
            {
                for (layer = 0; layer < layers.Length; layer++)
                {
                    ref var l = ref layers[layer];
                    DecodeKernels.LayerNorm(x, width, l.Norm1Weight, l.Norm1Bias, (float)config.NormEps, normed);
                    MatVec(team, l.Qkv, width, 3 * width, normed, qkv, accumulate: false);
                    Run(team, Phase.Attention);
                    MatVec(team, l.Projection, width, width, attended, x, accumulate: true);
                    DecodeKernels.LayerNorm(x, width, l.Norm2Weight, l.Norm2Bias, (float)config.NormEps, normed);
                    MatVec(team, l.Expand, width, mlpWidth, normed, hidden, accumulate: false);
                    DecodeKernels.Gelu(hidden, mlpWidth, exactGelu);
                    MatVec(team, l.Contract, mlpWidth, width, hidden, x, accumulate: true);
                }
                DecodeKernels.LayerNorm(x, width, finalWeight, finalBias, (float)config.NormEps, normed);
                var output = torch.empty([1, 1, vocabulary], ScalarType.Float32);
                head = headWeight;
                logits = Pointer(output);
                Run(team, Phase.Head);
                return output.MoveToOuterDisposeScope();
            }
            finally
            {
                WorkerTeam.Return(team);
            }
        }
        finally
        {
            Monitor.Exit(this);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Execute(int part, int parts)
    {
        switch (phase)
        {
            case Phase.MatVec:
                {
                    // A contiguous block of whole weight rows per part: streaming reads, which two cores pull at about twice one
                    // core's rate (splitting by columns, each part reading half of every row, ran no faster than one core).
                    int chunk = (matRows + parts - 1) / parts;
                    int r0 = Math.Min(matRows, part * chunk), r1 = Math.Min(matRows, r0 + chunk);
                    DecodeKernels.MatVec(matWeight + (long)r0 * matCols, r1 - r0, matCols, matInput + r0,
                        partials + (long)part * partialStride);
                    break;
                }
            case Phase.Int8Rows:
                {
                    var (r0, r1) = Split(matCols, part, parts);
                    QuantizedDecodeKernels.Int8Rows(matProjection.Int8, matRows, matInput, matProjection.Scales, matProjection.Bias,
                        matOutput, r0, r1, matAccumulate);
                    break;
                }
            case Phase.Int4Rows:
                {
                    var (r0, r1) = Split(matCols, part, parts);
                    QuantizedDecodeKernels.Int4Rows(matProjection.Int4, matRows, matProjection.Group, evenInputs, oddInputs, groupSums,
                        matProjection.Scales, matProjection.Zeros, matProjection.Bias, matOutput, r0, r1, matAccumulate);
                    break;
                }
            case Phase.Attention:
                {
                    ref var l = ref layers[layer];
                    for (int h = part; h < heads; h += parts)
                    {
                        long headBase = (long)h * capacity * headDim, slot = headBase + (long)position * headDim;
                        new ReadOnlySpan<float>(qkv + width + h * headDim, headDim).CopyTo(new Span<float>(l.Keys + slot, headDim));
                        new ReadOnlySpan<float>(qkv + 2 * width + h * headDim, headDim).CopyTo(new Span<float>(l.Values + slot, headDim));
                        DecodeKernels.AttendOneQuery(qkv + h * headDim, l.Keys + headBase, l.Values + headBase, position + 1, headDim,
                            scores + (long)part * config.ContextLength, attended + h * headDim);
                    }
                    break;
                }
            case Phase.Head:
                {
                    var (r0, r1) = Split(vocabulary, part, parts);
                    DecodeKernels.DotRows(head, width, normed, logits, r0, r1);
                    break;
                }
        }
    }

    /// <summary>
    /// output = bias + input · weight (weight [rows, cols]), or output += that with <paramref name="accumulate"/> (the residual
    /// stream). A float32 weight: each part multiplies its block of rows into its own partial sums, which the caller then
    /// adds up. A quantized weight (stored [cols, rows]): each part computes its own block of outputs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MatVec(WorkerTeam team, in Projection projection, int rows, int cols, float* input, float* output, bool accumulate)
    {
        if (projection.Weight is null)
        {
            matProjection = projection;
            matInput = input;
            matOutput = output;
            matRows = rows;
            matCols = cols;
            matAccumulate = accumulate;
            if (projection.Int4 is not null)
                QuantizedDecodeKernels.PrepareInt4Input(input, rows, projection.Group, evenInputs, oddInputs, groupSums);
            Run(team, projection.Int8 is not null ? Phase.Int8Rows : Phase.Int4Rows);
            return;
        }
        float* weight = projection.Weight, bias = projection.Bias;
        matWeight = weight;
        matInput = input;
        matRows = rows;
        matCols = cols;
        Run(team, Phase.MatVec);
        if (!accumulate) new Span<float>(output, cols).Clear();
        if (bias is not null) VectorKernels.Add(output, bias, output, cols);
        int used = Math.Min(team.Size, rows);
        for (int p = 0; p < used; p++)
            VectorKernels.Add(output, partials + (long)p * partialStride, output, cols);
    }

    private void Run(WorkerTeam team, Phase next)
    {
        phase = next;
        team.Run(this);
    }

    /// <summary>Part <paramref name="part"/>'s range of <paramref name="n"/> items, in whole 64-byte lines.</summary>
    private static (int Start, int End) Split(int n, int part, int parts)
    {
        int chunk = (n + parts - 1) / parts;
        chunk = (chunk + 15) / 16 * 16;
        int start = Math.Min(n, part * chunk);
        return (start, Math.Min(n, start + chunk));
    }

    /// <summary>
    /// Fills <see cref="layers"/> with the memory of every block's weights and cache slots; false when a module has a hook
    /// (a LoRA update or a probe: the modules must run). Reading a pointer costs several native calls, so the pointers are
    /// read again only when one of the objects they came from (module, weight, cache tensor) is no longer the same object
    /// as at the last step — a new cache, a replaced or quantized layer, a reassigned parameter.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool CollectPointers(KvCache cache, IReadOnlyList<Gpt2Block> blocks)
    {
        if (sourcesNow.Length != blocks.Count * SourcesPerBlock) sourcesNow = new object?[blocks.Count * SourcesPerBlock];
        for (int i = 0; i < blocks.Count; i++)
        {
            var block = blocks[i];
            nn.Module qkvLayer = block.Attention.QkvLayer, projection = block.Attention.OutputLayer;
            nn.Module expand = block.Mlp.ExpandLayer, contract = block.Mlp.OutputLayer;
            if (ModuleHooks.AnyHasForwardHooks(block, block.Norm1, block.Norm2, block.Mlp, qkvLayer, projection, expand, contract))
                return false;
            exactGelu = block.Mlp.ExactGelu;
            var (keys, values) = cache.LayerStorage(i);
            int k = i * SourcesPerBlock;
            sourcesNow[k++] = block.Norm1.weight;
            sourcesNow[k++] = block.Norm1.bias;
            sourcesNow[k++] = block.Norm2.weight;
            sourcesNow[k++] = block.Norm2.bias;
            sourcesNow[k++] = keys;
            sourcesNow[k++] = values;
            foreach (var layer in (ReadOnlySpan<nn.Module>)[qkvLayer, projection, expand, contract])
            {
                sourcesNow[k++] = layer;
                var (a, b, c, d) = layer switch
                {
                    Conv1D conv => (conv.Weight, conv.Bias, null, null),
                    QuantizedLinear q => (q.QuantizedValues, q.Scales, q.Bias, q.ZeroPoints),
                    _ => ((Tensor?)null, (Tensor?)null, (Tensor?)null, (Tensor?)null),
                };
                sourcesNow[k++] = a;
                sourcesNow[k++] = b;
                sourcesNow[k++] = c;
                sourcesNow[k++] = d;
            }
        }
        if (SameObjects(sourcesNow, pointerSources)) return true;
        pointerSources = [];   // until every pointer below is read
        for (int i = 0; i < blocks.Count; i++)
        {
            var block = blocks[i];
            var (keys, values) = cache.LayerStorage(i);
            layers[i] = new LayerPointers
            {
                Norm1Weight = Pointer(block.Norm1.weight!), Norm1Bias = OptionalPointer(block.Norm1.bias),
                Norm2Weight = Pointer(block.Norm2.weight!), Norm2Bias = OptionalPointer(block.Norm2.bias),
                Qkv = ProjectionOf(block.Attention.QkvLayer, width, 3 * width),
                Projection = ProjectionOf(block.Attention.OutputLayer, width, width),
                Expand = ProjectionOf(block.Mlp.ExpandLayer, width, mlpWidth),
                Contract = ProjectionOf(block.Mlp.OutputLayer, mlpWidth, width),
                Keys = Pointer(keys), Values = Pointer(values),
            };
        }
        pointerSources = (object?[])sourcesNow.Clone();
        return true;
    }

    private static bool SameObjects(object?[] now, object?[] before)
    {
        if (now.Length != before.Length) return false;
        for (int i = 0; i < now.Length; i++)
            if (!ReferenceEquals(now[i], before[i])) return false;
        return true;
    }

    /// <summary>The memory of a projection from <paramref name="inputs"/> to <paramref name="outputs"/>: a Conv1D's float32
    /// [in, out] weight, or a <see cref="QuantizedLinear"/>'s stored values; NotSupportedException for anything else.</summary>
    private static Projection ProjectionOf(nn.Module layer, int inputs, int outputs)
    {
        switch (layer)
        {
            case Conv1D conv:
                return new Projection { Weight = Pointer(conv.Weight), Bias = OptionalPointer(conv.Bias) };
            case QuantizedLinear q when q.Inputs == inputs && q.Outputs == outputs:
                {
                    var projection = new Projection { Bias = OptionalPointer(q.Bias), Scales = Pointer(q.Scales) };
                    if (q.Options.Bits == 8)
                        projection.Int8 = (sbyte*)BytePointer(q.QuantizedValues, ScalarType.Int8);
                    else if (q.ZeroPoints is { } zeros && q.Options.EffectiveGroupSize is > 0 and var group && group % 2 == 0
                        && q.Inputs % group == 0)   // a short last group takes the libtorch path
                    {
                        projection.Int4 = BytePointer(q.QuantizedValues, ScalarType.Byte);
                        projection.Zeros = BytePointer(zeros, ScalarType.Byte);
                        projection.Group = group;
                    }
                    else throw new NotSupportedException("fused decode: an unsupported quantized layout");
                    return projection;
                }
            default:
                throw new NotSupportedException($"fused decode: a {layer.GetType().Name} projection");
        }
    }

    private static byte* BytePointer(Tensor tensor, ScalarType dtype)
    {
        if (!tensor.is_contiguous() || tensor.dtype != dtype || tensor.device_type != DeviceType.CPU)
            throw new NotSupportedException("fused decode: quantized values are not a contiguous CPU tensor");
        return (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));
    }

    private static float* OptionalPointer(Tensor? tensor) => tensor is null ? null : Pointer(tensor);

    /// <summary>The first float of a contiguous CPU float32 tensor's own memory; NotSupportedException for any other tensor
    /// (the step then falls back to libtorch).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float* Pointer(Tensor tensor)
    {
        if (!tensor.is_contiguous() || tensor.dtype != ScalarType.Float32 || tensor.device_type != DeviceType.CPU)
            throw new NotSupportedException("fused decode: a weight is not a contiguous float32 CPU tensor");
        return (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));
    }

    private float* Buffer(int floats)
    {
        var array = GC.AllocateArray<float>(Math.Max(floats, 1), pinned: true);
        pinned.Add(array);
        return (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
    }

    private struct LayerPointers
    {
        public float* Norm1Weight, Norm1Bias, Norm2Weight, Norm2Bias;
        public Projection Qkv, Projection, Expand, Contract;
        public float* Keys, Values;
    }

    /// <summary>One projection's memory: a float32 [in, out] <see cref="Weight"/>, or int8 values [out, in] with per-row
    /// scales, or packed 4-bit values [out, in/2] with per-group scales and zero points; and its bias (or null).</summary>
    private struct Projection
    {
        public float* Weight, Bias, Scales;
        public sbyte* Int8;
        public byte* Int4, Zeros;
        public int Group;
    }
}
