using Loom.Core;
using Loom.Data;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Tabular.Neural;

/// <summary>
/// Trains a <see cref="TvaeModel"/> from a <see cref="TvaeRecipe"/> with the shared <see cref="Trainer"/>: per batch, the
/// loss is LossFactor × (Σ over value spans of (x − tanh x̂)² / 2σ² + log σ, plus Σ over one-hot spans of the
/// cross-entropy) / batch + KL(q(z|x) ‖ N(0, I)) / batch, as SDV's TVAE; Adam with an L2 penalty of 1e-5 added to the
/// gradient (torch's <c>Adam(weight_decay=1e-5)</c>, not AdamW's decoupled decay), σ clamped to [0.01, 1].
/// Step s takes its batch from a sampler seeded by the run's seed and seeds torch from (seed, s), so a resumed run
/// (<see cref="NeuralTableFit"/>) repeats a straight one.
/// </summary>
public static class TvaeTrainingRun
{
    public static TrainingOutcome Train(TvaeRecipe recipe, TrainingContext context)
    {
        var r = NeuralTableRun.ResumedRecipe(recipe, context, TvaeModel.KindName, TvaeRecipe.MayChangeOnResume).Resolve();
        return NeuralTableRun.Run(TvaeModel.KindName, RecipeJson.ToJson(r), r.Data!, r.Metadata, r.Seed!.Value, context,
            (table, transformer, fit) =>
            {
                var device = context.Device;
                var rows = tensor(transformer.Encode(table, r.Seed!.Value), [table.RowCount, transformer.Width]).to(device);
                var network = new TvaeNetwork(new TvaeShape(transformer.Width, r.Embedding!.Value, r.Hidden!.Value, r.Layers!.Value));
                network.to(device);
                int batch = NeuralTableRun.Batch(r.BatchSize!.Value, table.RowCount);
                var sampler = new BatchSampler(table.RowCount, batch, r.Seed!.Value);
                var valueSpans = transformer.Spans.Where(s => s.Activation == SpanActivation.Tanh).ToList();
                double factor = r.LossFactor!.Value;
                var objective = new DelegateObjective((step, micro) =>
                {
                    torch.random.manual_seed(Seeding.Derive(fit.Seed, $"tvae-step:{step}"));
                    network.ClampSigma();
                    var x = rows.index_select(0, sampler.IndexTensorForStep(step).to(device));
                    var (mean, logVariance) = network.Encode(x);
                    var z = mean + torch.randn_like(mean) * (0.5 * logVariance).exp();
                    var raw = network.Decode(z);
                    var reconstruction = SpanOutputs.CrossEntropySum(raw, x, transformer.Spans);
                    foreach (var span in valueSpans)
                    {
                        var sigma = network.Sigma.narrow(0, span.Start, 1);
                        var error = x.narrow(1, span.Start, 1) - raw.narrow(1, span.Start, 1).tanh();
                        reconstruction = reconstruction + (error.square() / 2 / sigma.square()).sum() + sigma.log().sum() * x.shape[0];
                    }
                    var kl = -0.5 * (1 + logVariance - mean.square() - logVariance.exp()).sum();
                    long n = x.shape[0];
                    var loss = reconstruction * factor / n + kl / n;
                    return new TrainingLoss(loss, n, new Dictionary<string, double> { ["kl"] = kl.item<float>() / n });
                });
                long steps = NeuralRecipeChecks.Steps(r.Epochs!.Value, table.RowCount, batch);
                var phase = new TrainingPhase("tvae", objective, network.parameters().Select(p => (TorchSharp.Modules.Parameter)p).ToList(),
                    new OptimizerOptions { LearningRate = r.LearningRate!.Value, WeightDecay = 1e-5, CoupledWeightDecay = true });
                var model = new TvaeModel(transformer, network, table.RowCount);
                var result = fit.Run(model, [phase], steps, r.CheckpointEvery!.Value, [(network, "network.")]);
                network.ClampSigma();
                return (model, result);
            });
    }
}
