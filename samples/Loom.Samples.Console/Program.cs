using Loom.Data;
using Loom.Models.Language;
using Loom.Models.Mixture;
using Loom.Models.Transformer;
using Loom.Text.Decoding;
using Loom.Text.Generation;
using Loom.Text.Tokenizers;
using TorchSharp;

// 1. A Gaussian mixture fitted by EM to 4,000 points of the 8-gaussians toy set.
using (var points = ToyData.Generate("8gaussians", 4000, seed: 0))
using (var mixture = GaussianMixture.Fit(points, new GaussianMixtureOptions { Components = 8, Seed = 0 }))
using (var logLikelihood = mixture.ScoreSamples(points))
    Console.WriteLine($"gmm: 8 components, mean log-likelihood {logLikelihood.mean().item<double>():F3} nats per point");

// 2. A few training steps of a small character transformer on the tinyshakespeare corpus that ships with Loom.
var text = TextFile.Read(DataCatalog.Resolve("tinyshakespeare").Path);
var tokenizer = CharTokenizer.Train(text);
var data = LanguageModelData.FromStream(tokenizer.Encode(text));
torch.manual_seed(0);
using var model =
    new DecoderTransformer(TransformerConfig.Llama(tokenizer.VocabSize, context: 64, layers: 2, heads: 4, kvHeads: 2, width: 64));
var options = new LanguageModelTrainingOptions { Steps = 40, BatchSize = 8, Context = 64, Warmup = 5, EvalEvery = 0 };
using (var trainer = LanguageModelTraining.CreateTrainer(model, data, options))
{
    var result = trainer.Run();
    Console.WriteLine($"transformer: {result.Steps} steps, last training loss {result.LastLoss:F3} nats per character");
}

// 3. Stream a sample token by token.
model.eval();
var generator = new TextGenerator(model, tokenizer, startTokenId: 0);
var settings = new GenerationSettings { DoSample = true, Temperature = 0.8, TopK = 40, MaxNewTokens = 80, Seed = 1 };
Console.Write("sample: ROMEO:");
await foreach (var token in generator.StreamAsync("ROMEO:", settings))
    Console.Write(token.Text);
Console.WriteLine();
