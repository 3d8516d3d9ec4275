using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Loom.Models.Transformer.FusedDecode;

/// <summary>
/// The element-wise and reduction loops of the fused decode step (sums, dot products, scaled adds, exp, tanh) over raw
/// float memory, eight lanes at a time. They stand in for <c>System.Numerics.Tensors.TensorPrimitives</c>, whose generic
/// vector code starts as unoptimized tier-0 code in every process (it is a NuGet assembly without precompiled code) and
/// ran the first few hundred tokens of each generation at about half speed; these are compiled fully optimized on their
/// first call.
/// </summary>
internal static unsafe class VectorKernels
{
    /// <summary>Σ x[i] over n values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Sum(float* x, int n)
    {
        var acc = Vector256<float>.Zero;
        int i = 0;
        for (; i + 8 <= n; i += 8) acc += Vector256.Load(x + i);
        float sum = Vector256.Sum(acc);
        for (; i < n; i++) sum += x[i];
        return sum;
    }

    /// <summary>Σ a[i]·b[i] over n values (two accumulators, so consecutive FMAs do not wait on each other).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot(float* a, float* b, int n)
    {
        Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero;
        int i = 0;
        for (; i + 16 <= n; i += 16)
        {
            acc0 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc0);
            acc1 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i + 8), Vector256.Load(b + i + 8), acc1);
        }
        for (; i + 8 <= n; i += 8) acc0 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc0);
        float sum = Vector256.Sum(acc0 + acc1);
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>destination[i] = a[i] + b[i] over n values (destination may be a or b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(float* a, float* b, float* destination, int n)
    {
        int i = 0;
        for (; i + 8 <= n; i += 8) (Vector256.Load(a + i) + Vector256.Load(b + i)).Store(destination + i);
        for (; i < n; i++) destination[i] = a[i] + b[i];
    }

    /// <summary>accumulator[i] += x[i]·scale over n values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddScaled(float* x, float scale, float* accumulator, int n)
    {
        var s = Vector256.Create(scale);
        int i = 0;
        for (; i + 8 <= n; i += 8)
            Vector256.FusedMultiplyAdd(Vector256.Load(x + i), s, Vector256.Load(accumulator + i)).Store(accumulator + i);
        for (; i < n; i++) accumulator[i] += x[i] * scale;
    }

    /// <summary>The softmax of n values in place: exp(x − max) / Σ exp(x − max).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SoftMax(float* x, int n)
    {
        float max = float.NegativeInfinity;
        for (int j = 0; j < n; j++) max = MathF.Max(max, x[j]);
        var shift = Vector256.Create(max);
        var total = Vector256<float>.Zero;
        int i = 0;
        for (; i + 8 <= n; i += 8)
        {
            var e = Vector256.Exp(Vector256.Load(x + i) - shift);
            e.Store(x + i);
            total += e;
        }
        float sum = Vector256.Sum(total);
        for (; i < n; i++) sum += x[i] = MathF.Exp(x[i] - max);
        float inverse = 1f / sum;
        var scale = Vector256.Create(inverse);
        for (i = 0; i + 8 <= n; i += 8) (Vector256.Load(x + i) * scale).Store(x + i);
        for (; i < n; i++) x[i] *= inverse;
    }

    /// <summary>GELU's tanh form in place over n values: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), with
    /// tanh(u) = 1 − 2 / (e^{2u} + 1) (exact at both ends: e^{2u} overflows to ∞ or underflows to 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GeluTanh(float* x, int n)
    {
        int i = 0;
        var half = Vector256.Create(0.5f);
        var one = Vector256.Create(1f);
        var two = Vector256.Create(2f);
        var cubic = Vector256.Create(0.044715f);
        var twoRoot = Vector256.Create(2f * 0.7978845608f);
        for (; i + 8 <= n; i += 8)
        {
            var v = Vector256.Load(x + i);
            var u = v * Vector256.FusedMultiplyAdd(v * v, cubic, one) * twoRoot;
            var tanh = one - two / (Vector256.Exp(u) + one);
            (half * v * (one + tanh)).Store(x + i);
        }
        for (; i < n; i++)
        {
            float v = x[i];
            float u = 2f * 0.7978845608f * v * (1f + 0.044715f * v * v);
            x[i] = 0.5f * v * (2f - 2f / (MathF.Exp(u) + 1f));
        }
    }
}
