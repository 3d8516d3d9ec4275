using static TorchSharp.torch;

namespace Loom.Models.Adversarial.CycleGan;

/// <summary>
/// The images a CycleGAN's <see cref="IGenerativeModel.Sample"/> translates, carried as a request option
/// (<c>request.With(new TranslationInputs(images))</c>): [n, C, H, W] in [0, 1]. The request's count of them, chosen by
/// its seed, are translated in <paramref name="Direction"/>. The caller owns the tensor.
/// </summary>
public sealed record TranslationInputs(Tensor Images, TranslationDirection Direction = TranslationDirection.AtoB);
