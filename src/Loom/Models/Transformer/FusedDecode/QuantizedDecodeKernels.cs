using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Loom.Models.Transformer.FusedDecode;

/// <summary>
/// Matrix-vector products of a batch-1 decode step straight from quantized weights (<c>QuantizedLinear</c>'s layout,
/// [out, in] row-major): each output row reads its int8 or packed 4-bit values once and widens them in registers, so a
/// step reads a quarter (int8) or an eighth (4-bit) of the float32 bytes and no dequantized copy is ever made. Rows
/// [r0, r1) of the output; y[r] = bias[r] + (dequantized row r) · x, added to y[r] with <c>accumulate</c> (the residual).
/// </summary>
internal static unsafe class QuantizedDecodeKernels
{
    /// <summary>int8 per-channel: row r is q[r, ·]·scales[r].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Int8Rows(sbyte* q, int cols, float* x, float* scales, float* bias, float* y, int r0, int r1, bool accumulate)
    {
        bool simd = Avx2.IsSupported && Fma.IsSupported;
        for (int r = r0; r < r1; r++)
        {
            sbyte* row = q + (long)r * cols;
            float dot = 0;
            int i = 0;
            if (simd)
            {
                Vector256<float> a0 = Vector256<float>.Zero, a1 = Vector256<float>.Zero;
                for (; i + 16 <= cols; i += 16)
                {
                    var q0 = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(row + i));
                    var q1 = Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(row + i + 8));
                    a0 = Fma.MultiplyAdd(q0, Avx.LoadVector256(x + i), a0);
                    a1 = Fma.MultiplyAdd(q1, Avx.LoadVector256(x + i + 8), a1);
                }
                dot = Vector256.Sum(a0 + a1);
            }
            for (; i < cols; i++) dot += row[i] * x[i];
            Store(y, r, scales[r] * dot, bias, accumulate);
        }
    }

    /// <summary>
    /// The input split for <see cref="Int4Rows"/>: even[j] = x[2j], odd[j] = x[2j + 1] (a byte holds inputs 2j in its low
    /// and 2j + 1 in its high nibble) and groupSums[g] = Σ x over group g, computed once per product.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PrepareInt4Input(float* x, int cols, int group, float* even, float* odd, float* groupSums)
    {
        for (int j = 0; j < cols / 2; j++)
        {
            even[j] = x[2 * j];
            odd[j] = x[2 * j + 1];
        }
        for (int g = 0; g < cols / group; g++)
            groupSums[g] = VectorKernels.Sum(x + (long)g * group, group);
    }

    /// <summary>
    /// 4-bit group-wise asymmetric: in group g of row r the weight is (q − zeros[r, g])·scales[r, g], so the row's product is
    /// Σ_g scales[r, g]·(Σ_{i∈g} q_i x_i − zeros[r, g]·groupSums[g]).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Int4Rows(byte* packed, int cols, int group, float* even, float* odd, float* groupSums, float* scales,
        byte* zeros, float* bias, float* y, int r0, int r1, bool accumulate)
    {
        bool simd = Avx2.IsSupported && Fma.IsSupported;
        int groups = cols / group, half = group / 2;
        var nibble = Vector256.Create(15);
        for (int r = r0; r < r1; r++)
        {
            byte* row = packed + (long)r * (cols / 2);
            float* s = scales + (long)r * groups;
            byte* z = zeros + (long)r * groups;
            var acc = Vector256<float>.Zero;
            float rest = 0;
            for (int g = 0; g < groups; g++)
            {
                byte* b = row + g * half;
                float* xe = even + g * half, xo = odd + g * half;
                float groupDot = 0;
                int j = 0;
                if (simd)
                {
                    var part = Vector256<float>.Zero;
                    for (; j + 8 <= half; j += 8)
                    {
                        var bytes = Avx2.ConvertToVector256Int32(b + j);
                        var low = Avx.ConvertToVector256Single(Avx2.And(bytes, nibble));
                        var high = Avx.ConvertToVector256Single(Avx2.ShiftRightLogical(bytes, 4));
                        part = Fma.MultiplyAdd(low, Avx.LoadVector256(xe + j), part);
                        part = Fma.MultiplyAdd(high, Avx.LoadVector256(xo + j), part);
                    }
                    acc = Fma.MultiplyAdd(part, Vector256.Create(s[g]), acc);
                }
                for (; j < half; j++) groupDot += (b[j] & 15) * xe[j] + (b[j] >> 4) * xo[j];
                rest += s[g] * (groupDot - z[g] * groupSums[g]);
            }
            Store(y, r, Vector256.Sum(acc) + rest, bias, accumulate);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* y, int r, float product, float* bias, bool accumulate)
    {
        float value = bias is null ? product : product + bias[r];
        y[r] = accumulate ? y[r] + value : value;
    }
}
