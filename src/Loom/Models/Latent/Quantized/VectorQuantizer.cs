using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Latent.Quantized;

/// <summary>
/// One pass through a <see cref="VectorQuantizer"/>: the straight-through quantized map, the chosen code per position,
/// the commitment loss, the codebook perplexity of this batch and how many dead codes were restarted.
/// </summary>
/// <param name="Quantized">[n, D, h, w]: z + (q − z).detach(), so the decoder sees q and the encoder gets the decoder's gradient
/// unchanged.</param>
/// <param name="Indices">[n, h, w] int64 code indices.</param>
/// <param name="CommitmentLoss">Scalar β·mean((z − sg(q))²).</param>
/// <param name="Perplexity">Scalar exp(entropy of the code usage in this batch); K when every code is used equally, 1 when one code takes
/// all.</param>
/// <param name="RestartedCodes">Codes re-initialised to encoder outputs in this pass (training mode only).</param>
public sealed record QuantizerOutput(Tensor Quantized, Tensor Indices, Tensor CommitmentLoss, Tensor Perplexity, int RestartedCodes);

/// <summary>
/// The vector quantizer of a VQ-VAE: a codebook of K codes of D dimensions, nearest-code assignment by squared
/// distance ‖z‖² − 2 z·c + ‖c‖², the straight-through estimator and a commitment loss. The codebook is not a
/// parameter: in training mode each forward pass moves it by exponential moving averages (decay γ) of the number of
/// vectors assigned to each code (N_k) and of their sum (m_k), with Laplace smoothing of N_k, and sets code k to
/// m_k / N_k. Codes whose N_k falls below <see cref="DeadCodeThreshold"/> are restarted at encoder outputs of the
/// current batch drawn with the global torch RNG (so a seeded run, and a resumed one, restarts the same codes the same way),
/// with N_k set to the threshold and m_k to the threshold times the vector.
/// The codebook, N and m are buffers (<c>codebook</c>, <c>cluster_size</c>, <c>code_sum</c>) and are saved with the model.
/// </summary>
public sealed class VectorQuantizer : nn.Module
{
    // Buffers, updated in place so the registered tensors stay the ones these fields hold.
    private readonly Tensor codebook;      // [K, D]
    private readonly Tensor cluster_size;  // [K]    EMA of vectors assigned per batch
    private readonly Tensor code_sum;      // [K, D] EMA of the sum of the assigned vectors

    /// <summary>Creates a codebook of N(0, 1) codes, each counted as one pseudo-observation of itself (N_k = 1, m_k = code).</summary>
    public VectorQuantizer(int numCodes, int codeDim, double commitment = 0.25, double decay = 0.99,
        double deadCodeThreshold = 1.0, double epsilon = 1e-5)
        : base("quantizer")
    {
        // Options are checked with their CLI names by VqVaeConfig.Validate; these guard direct use.
        if (numCodes < 2 || codeDim < 1)
            throw new ArgumentOutOfRangeException(nameof(numCodes),
                $"a codebook needs at least 2 codes of at least 1 dimension, got {numCodes} × {codeDim}");
        if (!(decay is > 0 and < 1) || !(commitment >= 0) || !(deadCodeThreshold >= 0) || !(epsilon > 0))
            throw new ArgumentOutOfRangeException(nameof(decay),
                "need 0 < decay < 1, commitment ≥ 0, dead-code threshold ≥ 0, epsilon > 0");
        NumCodes = numCodes;
        CodeDim = codeDim;
        Commitment = commitment;
        Decay = decay;
        DeadCodeThreshold = deadCodeThreshold;
        Epsilon = epsilon;
        using (torch.no_grad())
        {
            codebook = torch.randn(numCodes, codeDim).DetachFromDisposeScope();
            cluster_size = torch.ones(numCodes).DetachFromDisposeScope();
            code_sum = codebook.clone().DetachFromDisposeScope();
        }
        register_buffer(nameof(codebook), codebook);
        register_buffer(nameof(cluster_size), cluster_size);
        register_buffer(nameof(code_sum), code_sum);
    }

    public int NumCodes { get; }
    public int CodeDim { get; }
    /// <summary>β, the weight of the commitment loss.</summary>
    public double Commitment { get; }
    /// <summary>γ, the decay of the codebook's moving averages.</summary>
    public double Decay { get; }
    /// <summary>A code whose EMA cluster size (vectors per batch) falls below this is restarted; 0 turns restarts off.</summary>
    public double DeadCodeThreshold { get; }
    /// <summary>Laplace smoothing: N_k ← (N_k + ε) / (ΣN + K ε) · ΣN, so a code with no vectors never divides by zero.</summary>
    public double Epsilon { get; }

    /// <summary>The codes [K, D] (the live buffer; do not modify).</summary>
    public Tensor Codebook => codebook;
    /// <summary>The EMA cluster sizes N_k [K] (the live buffer).</summary>
    public Tensor ClusterSize => cluster_size;
    /// <summary>The EMA sums m_k [K, D] (the live buffer).</summary>
    public Tensor CodeSum => code_sum;

    /// <summary>Index of the nearest code for each row of <paramref name="flat"/> [N, D]: argmin ‖z‖² − 2 z·c + ‖c‖².</summary>
    public Tensor Assign(Tensor flat)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var distances = flat.square().sum(1, keepdim: true) - 2 * flat.matmul(codebook.t()) + codebook.square().sum(1).unsqueeze(0);
        return distances.argmin(1).MoveToOuterDisposeScope();
    }

    /// <summary>Nearest-code indices of an encoder map [n, D, h, w] → [n, h, w].</summary>
    public Tensor AssignMap(Tensor z)
    {
        using var scope = torch.NewDisposeScope();
        long n = z.shape[0], h = z.shape[2], w = z.shape[3];
        return Assign(Flatten(z)).reshape(n, h, w).MoveToOuterDisposeScope();
    }

    /// <summary>The codes of an index map [n, h, w] as a map [n, D, h, w].</summary>
    public Tensor Lookup(Tensor indices)
    {
        using var scope = torch.NewDisposeScope();
        long n = indices.shape[0], h = indices.shape[1], w = indices.shape[2];
        var codes = codebook.index_select(0, indices.reshape(-1));
        return codes.reshape(n, h, w, CodeDim).permute(0, 3, 1, 2).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Quantizes an encoder map [n, D, h, w]. In training mode (and when every value of <paramref name="z"/> is finite)
    /// the codebook then takes one EMA step and dead codes are restarted; the returned quantization uses the codebook
    /// as it was before the step.
    /// </summary>
    public QuantizerOutput forward(Tensor z)
    {
        if (z.dim() != 4 || z.shape[1] != CodeDim)
            throw new LoomDataException(
                $"vector quantizer: expected an encoder map [n, {CodeDim}, h, w], got [{string.Join(", ", z.shape)}]");
        long n = z.shape[0], h = z.shape[2], w = z.shape[3];
        var flat = Flatten(z);
        var indices = Assign(flat);
        var quantized = Lookup(indices.reshape(n, h, w));
        var commitment = (z - quantized.detach()).square().mean() * Commitment;
        var counts = torch.zeros(NumCodes, dtype: ScalarType.Float32, device: z.device)
            .index_add_(0, indices, torch.ones(indices.shape[0], dtype: ScalarType.Float32, device: z.device), 1);
        var perplexity = Perplexity(counts);
        int restarted = 0;
        if (training)
        {
            using var noGrad = torch.no_grad();
            if (torch.isfinite(flat).all().item<bool>())
                restarted = UpdateCodebook(flat.detach(), indices, counts);
        }
        var straightThrough = z + (quantized - z).detach();
        return new QuantizerOutput(straightThrough, indices.reshape(n, h, w), commitment, perplexity, restarted);
    }

    /// <summary>exp(−Σ p_k log p_k) of the code usage <paramref name="counts"/> [K] (codes with no use add nothing).</summary>
    public static Tensor Perplexity(Tensor counts)
    {
        using var scope = torch.NewDisposeScope();
        var p = counts / counts.sum().clamp_min(1e-12);
        var entropy = -(p * (p + 1e-12).log()).sum();
        return entropy.exp().MoveToOuterDisposeScope();
    }

    /// <summary>One EMA step on a batch of vectors [N, D] with their codes and per-code counts; returns how many codes were
    /// restarted.</summary>
    private int UpdateCodebook(Tensor flat, Tensor indices, Tensor counts)
    {
        using var scope = torch.NewDisposeScope();
        var sums = torch.zeros(NumCodes, CodeDim, dtype: flat.dtype, device: flat.device).index_add_(0, indices, flat, 1);
        cluster_size.mul_(Decay).add_(counts, alpha: 1 - Decay);
        code_sum.mul_(Decay).add_(sums, alpha: 1 - Decay);
        var total = cluster_size.sum();
        var smoothed = (cluster_size + Epsilon) / (total + NumCodes * Epsilon) * total;
        codebook.copy_(code_sum / smoothed.unsqueeze(1));
        if (DeadCodeThreshold <= 0)
            return 0;
        var dead = (cluster_size < DeadCodeThreshold).nonzero().reshape(-1);
        int deadCount = (int)dead.shape[0];
        if (deadCount == 0)
            return 0;
        // Distinct batch vectors when there are enough; the draw comes from the global RNG (saved with the trainer state).
        var chosen = flat.shape[0] >= deadCount
            ? torch.randperm(flat.shape[0]).narrow(0, 0, deadCount).to(flat.device)
            : torch.randint(0, flat.shape[0], [deadCount], dtype: ScalarType.Int64).to(flat.device);
        var vectors = flat.index_select(0, chosen);
        // A restarted code starts at the threshold (N_k = t, m_k = t·vector): it stays alive while it wins t vectors per batch.
        codebook.index_copy_(0, dead, vectors);
        code_sum.index_copy_(0, dead, vectors * DeadCodeThreshold);
        cluster_size.index_fill_(0, dead, DeadCodeThreshold);
        return deadCount;
    }

    private Tensor Flatten(Tensor z) => z.permute(0, 2, 3, 1).reshape(-1, CodeDim);
}
