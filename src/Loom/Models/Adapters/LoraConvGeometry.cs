using TorchSharp;

namespace Loom.Models.Adapters;

/// <summary>
/// How a wrapped 2-D convolution slides its kernel, which its LoRA A repeats as peft's conv LoRA does: A is a convolution
/// with the base layer's kernel size, stride and padding and r output channels, B a 1×1 convolution from r channels to
/// the layer's outputs.
/// </summary>
/// <param name="Kernel">The square kernel's size.</param>
/// <param name="Stride">Stride (rows, columns).</param>
/// <param name="Padding">Padding on each side (rows, columns).</param>
/// <param name="PaddingMode">How the padding is filled (zeros, or reflect/replicate/circular as the base layer does).</param>
public sealed record LoraConvGeometry(long Kernel, long[] Stride, long[] Padding, PaddingModes PaddingMode);
