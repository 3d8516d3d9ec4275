using System.Numerics.Tensors;
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
    /// <summary>y = x · w: y[c] = Σᵢ x[i]·w[i, c] for w row-major [rows, cols], read front to back, four rows at a time.</summary>
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
        var input = new ReadOnlySpan<float>(x, cols);
        for (int r = r0; r < r1; r++)
            y[r] = TensorPrimitives.Dot(new ReadOnlySpan<float>(m + (long)r * cols, cols), input);
    }

    /// <summary>output = (x − mean) / √(var + eps) · gamma + beta over n values (beta may be null); biased variance, as torch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LayerNorm(float* x, int n, float* gamma, float* beta, float eps, float* output)
    {
        var input = new ReadOnlySpan<float>(x, n);
        var result = new Span<float>(output, n);
        float mean = TensorPrimitives.Sum(input) / n;
        TensorPrimitives.Subtract(input, mean, result);
        float variance = TensorPrimitives.SumOfSquares(result) / n;
        float inverse = 1f / MathF.Sqrt(variance + eps);
        TensorPrimitives.Multiply(result, inverse, result);
        TensorPrimitives.Multiply(result, new ReadOnlySpan<float>(gamma, n), result);
        if (beta is not null) TensorPrimitives.Add(result, new ReadOnlySpan<float>(beta, n), result);
    }

    /// <summary>GELU in place on x[0..n): the tanh approximation (HF's gelu_new), or the exact erf form; scratch holds n floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gelu(float* x, int n, bool exact, float* scratch)
    {
        var values = new Span<float>(x, n);
        if (exact)
        {
            for (int c = 0; c < n; c++) values[c] = 0.5f * values[c] * (1f + Erf(values[c] * 0.70710678f));
            return;
        }
        // 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))
        var inner = new Span<float>(scratch, n);
        TensorPrimitives.Multiply(values, values, inner);
        TensorPrimitives.Multiply(inner, 0.044715f, inner);
        TensorPrimitives.Add(inner, 1f, inner);
        TensorPrimitives.Multiply(inner, values, inner);
        TensorPrimitives.Multiply(inner, 0.7978845608f, inner);
        TensorPrimitives.Tanh(inner, inner);
        TensorPrimitives.Add(inner, 1f, inner);
        TensorPrimitives.Multiply(inner, values, inner);
        TensorPrimitives.Multiply(inner, 0.5f, values);
    }

    /// <summary>
    /// One query head against the keys and values cached at positions 0..<paramref name="length"/> − 1 (each
    /// <paramref name="headDim"/> floats, consecutive): softmax(q·Kᵀ / √d)·V into <paramref name="output"/>.
    /// <paramref name="scores"/> holds <paramref name="length"/> floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AttendOneQuery(float* q, float* keys, float* values, int length, int headDim, float* scores, float* output)
    {
        var query = new ReadOnlySpan<float>(q, headDim);
        var weights = new Span<float>(scores, length);
        float scale = 1f / MathF.Sqrt(headDim);
        for (int s = 0; s < length; s++)
            weights[s] = TensorPrimitives.Dot(query, new ReadOnlySpan<float>(keys + (long)s * headDim, headDim)) * scale;
        TensorPrimitives.SoftMax(weights, weights);
        var result = new Span<float>(output, headDim);
        result.Clear();
        for (int s = 0; s < length; s++)
            TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(values + (long)s * headDim, headDim), weights[s], result, result);
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
