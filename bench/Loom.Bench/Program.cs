using System.Globalization;
using Loom.Bench;

// Every figure prints the same way whatever the machine's locale.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

// Dispatch: `dotnet run -c Release --project bench/Loom.Bench -- <benchmark> [options]`.
// Each benchmark lives in its own file and exposes `static int Run(string[] args)`.
var benchmarks = new Dictionary<string, Func<string[], int>>(StringComparer.Ordinal)
{
    ["gmm"] = GmmBench.Run,
    ["hmm"] = HmmBench.Run,
    ["eval"] = EvalBench.Run,
    ["lm-train"] = LmTrainBench.Run,
    ["lm-names"] = LmNamesBench.Run,
    ["lm-generate"] = LmGenerateBench.Run,
    ["decode-step"] = DecodeStepBench.Run,
    ["batch-decode"] = BatchDecodeBench.Run,
    ["serve-load"] = ServeLoadBench.Run,
    ["unet-step"] = UNetStepBench.Run,
    ["diffusion-2d"] = DiffusionBarsBench.RunTwoD,
    ["diffusion-fmnist"] = DiffusionBarsBench.RunFashionMnist,
    ["diffusion-distill"] = DiffusionDistillBench.Run,
    ["gan-8gaussians"] = GanBench.Run,
    ["class-accuracy"] = ClassAccuracyBench.Run,
    ["numerics-stress"] = NumericsStressBench.Run,
    ["determinism-probe"] = DeterminismProbeBench.Run,
    ["hf-load"] = HfLoadBench.Run,
    ["hf-tokenize"] = HfTokenizeBench.Run,
    ["watermark"] = WatermarkBench.Run,
    ["image-watermark"] = ImageWatermarkBench.Run,
    ["dp-vae"] = DpVaeBench.Run,
    ["dp-mia"] = DpMiaBench.RunText,
    ["dp-mia-vae"] = DpMiaBench.RunVae,
    ["dp-cvae"] = DpCvaeBench.Run,
    ["tabular"] = TabularBench.Run,
    ["rbm"] = RbmBench.Run,
    ["flows"] = FlowsBench.Run,
    ["ebm"] = EbmBench.RunTwoD,
    ["ebm-fmnist"] = EbmBench.RunFashionMnist,
    ["lora"] = LoraBench.Run,
    ["image-memorization"] = ImageMemorizationBench.Run,
    ["distill-spec"] = DistillSpecBench.Run,
    ["pixelcnn"] = PixelCnnBench.Run,
    ["quantize"] = QuantizeBench.Run,
    ["train-flops"] = TrainFlopsBench.Run,
    ["wavenet"] = WaveNetBench.Run,
    ["wavenet-digits"] = WaveNetDigitsBench.Run,
    ["all"] = AllBench.Run,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: Loom.Bench <{string.Join("|", benchmarks.Keys.Order(StringComparer.Ordinal))}> [options]");
    return 2;
}
int exitCode = run(args[1..]);
BenchTable.Print(Console.Out);
return exitCode;
