using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Loom.Models.Transformer.FusedDecode;

/// <summary>
/// The float32 kernels of one batch-1 decode step on raw CPU memory: a matrix-vector product over a block of rows of a
/// row-major [in, out] weight (GPT-2's Conv1D layout), dot products against matrix rows (the output head), layer norm,
/// GELU and single-query attention over a KV cache. Each reads its weights once, front to back, so a step costs about
/// what reading the weights from memory costs. Each is compiled fully optimized at once rather than first as tier-0 code.
/// </summary>
internal static unsafe class DecodeKernels
{
    /// <summary>y = x · w: y[c] = Σᵢ x[i]·w[i, c] for w row-major [rows, cols], read front to back, four rows at a time,
    /// sixteen lanes where the CPU has them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MatVec(float* w, int rows, int cols, float* x, float* y)
    {
        new Span<float>(y, cols).Clear();
        int i = 0;
        for (; i + 4 <= rows; i += 4)
        {
            float* w0 = w + (long)i * cols, w1 = w0 + cols, w2 = w1 + cols, w3 = w2 + cols;
            float x0 = x[i], x1 = x[i + 1], x2 = x[i + 2], x3 = x[i + 3];
            int c = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                // Sixteen lanes: one core streamed the projections at 38–46 GB/s this way against 25–30 GB/s with eight
                // (fewer load and accumulate instructions per byte read).
                Vector512<float> u0 = Vector512.Create(x0), u1 = Vector512.Create(x1);
                Vector512<float> u2 = Vector512.Create(x2), u3 = Vector512.Create(x3);
                for (; c + 16 <= cols; c += 16)
                {
                    var acc = Vector512.Load(y + c);
                    acc = Vector512.FusedMultiplyAdd(Vector512.Load(w0 + c), u0, acc);
                    acc = Vector512.FusedMultiplyAdd(Vector512.Load(w1 + c), u1, acc);
                    acc = Vector512.FusedMultiplyAdd(Vector512.Load(w2 + c), u2, acc);
                    acc = Vector512.FusedMultiplyAdd(Vector512.Load(w3 + c), u3, acc);
                    acc.Store(y + c);
                }
            }
            if (Vector256.IsHardwareAccelerated)
            {
                Vector256<float> v0 = Vector256.Create(x0), v1 = Vector256.Create(x1), v2 = Vector256.Create(x2), v3 = Vector256.Create(x3);
                for (; c + 8 <= cols; c += 8)
                {
                    var acc = Vector256.Load(y + c);
                    acc = Vector256.FusedMultiplyAdd(Vector256.Load(w0 + c), v0, acc);
                    acc = Vector256.FusedMultiplyAdd(Vector256.Load(w1 + c), v1, acc);
                    acc = Vector256.FusedMultiplyAdd(Vector256.Load(w2 + c), v2, acc);
                    acc = Vector256.FusedMultiplyAdd(Vector256.Load(w3 + c), v3, acc);
                    acc.Store(y + c);
                }
            }
            for (; c < cols; c++)
                y[c] += w0[c] * x0 + w1[c] * x1 + w2[c] * x2 + w3[c] * x3;
        }
        for (; i < rows; i++)
        {
            float* row = w + (long)i * cols;
            float xi = x[i];
            for (int c = 0; c < cols; c++) y[c] += row[c] * xi;
        }
    }

    /// <summary>y[r] = Σⱼ m[r, j]·x[j] for r in [r0, r1), m row-major [rows, cols] (a head stored [vocab, width]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DotRows(float* m, int cols, float* x, float* y, int r0, int r1)
    {
        for (int r = r0; r < r1; r++)
            y[r] = VectorKernels.Dot(m + (long)r * cols, x, cols);
    }

    /// <summary>output = (x − mean) / √(var + eps) · gamma + beta over n values (beta may be null); biased variance, as torch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LayerNorm(float* x, int n, float* gamma, float* beta, float eps, float* output)
    {
        float mean = VectorKernels.Sum(x, n) / n;
        float squares = 0;
        for (int i = 0; i < n; i++)
        {
            float d = x[i] - mean;
            output[i] = d;
            squares += d * d;
        }
        float inverse = 1f / MathF.Sqrt(squares / n + eps);
        for (int i = 0; i < n; i++)
            output[i] = output[i] * inverse * gamma[i] + (beta is null ? 0f : beta[i]);
    }

    /// <summary>GELU in place on x[0..n): the tanh approximation (HF's gelu_new), or the exact erf form.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gelu(float* x, int n, bool exact)
    {
        if (!exact)
        {
            VectorKernels.GeluTanh(x, n);
            return;
        }
        for (int c = 0; c < n; c++) x[c] = 0.5f * x[c] * (1f + Erf(x[c] * 0.70710678f));
    }

    /// <summary>
    /// One query head against the keys and values cached at positions 0..<paramref name="length"/> − 1 (each
    /// <paramref name="headDim"/> floats, consecutive): softmax(q·Kᵀ / √d)·V into <paramref name="output"/>.
    /// <paramref name="scores"/> holds <paramref name="length"/> floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AttendOneQuery(float* q, float* keys, float* values, int length, int headDim, float* scores, float* output)
    {
        float scale = 1f / MathF.Sqrt(headDim);
        for (int s = 0; s < length; s++)
            scores[s] = VectorKernels.Dot(q, keys + (long)s * headDim, headDim) * scale;
        VectorKernels.SoftMax(scores, length);
        new Span<float>(output, headDim).Clear();
        for (int s = 0; s < length; s++)
            VectorKernels.AddScaled(values + (long)s * headDim, scores[s], output, headDim);
    }

    /// <summary>erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7, under float32 rounding of GELU's output).</summary>
    private static float Erf(float x)
    {
        float sign = x < 0 ? -1f : 1f;
        float a = MathF.Abs(x);
        float t = 1f / (1f + 0.3275911f * a);
        float poly = ((((1.061405429f * t - 1.453152027f) * t) + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f;
        return sign * (1f - poly * t * MathF.Exp(-a * a));
    }
}
