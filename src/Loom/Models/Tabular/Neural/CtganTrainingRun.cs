using Loom.Core;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Tabular.Neural;

/// <summary>
/// Trains a <see cref="CtganModel"/> from a <see cref="CtganRecipe"/> on the shared <see cref="Trainer"/>, on the CPU (the
/// networks are small). Each step runs the critic phase — WGAN loss on real rows (drawn by training-by-sampling,
/// <see cref="CtganConditions"/>) against generated ones, each with its conditional vector, plus the gradient penalty
/// on PacGAN groups of interpolates — then the generator phase: −critic score plus the cross-entropy of the conditioned
/// column against its condition. Generator outputs pass through tanh and a Gumbel-softmax (τ = 0.2). Both use Adam with
/// β = (0.5, 0.9) and an L2 penalty of 1e-6 added to the gradient, as SDV's <c>Adam(weight_decay=1e-6)</c>. Each phase of step s
/// seeds torch from (seed, s, phase) and draws its conditions from a generator seeded the same way, so a resumed run
/// (<see cref="NeuralTableFit"/>) repeats a straight one.
/// </summary>
public static class CtganTrainingRun
{
    private const double GumbelTau = 0.2;

    public static TrainingOutcome Train(CtganRecipe recipe, TrainingContext context)
    {
        var r = NeuralTableRun.ResumedRecipe(recipe, context, CtganModel.KindName, CtganRecipe.MayChangeOnResume).Resolve();
        context = context with { Device = CPU };
        return NeuralTableRun.Run(CtganModel.KindName, RecipeJson.ToJson(r), r.Data!, r.Metadata, r.Seed!.Value, context,
            (table, transformer, fit) =>
            {
                long seed = r.Seed!.Value;
                int pac = r.Pac!.Value, batch = NeuralTableRun.Batch(r.BatchSize!.Value, table.RowCount, pac);
                var encoded = transformer.Encode(table, seed);
                var rows = tensor(encoded, [table.RowCount, transformer.Width]);
                var conditions = new CtganConditions(transformer);
                conditions.IndexRows(encoded, table.RowCount, transformer.Width);
                var shape = new CtganShape(transformer.Width, conditions.Width, r.Embedding!.Value, r.Hidden!.Value, r.Layers!.Value, pac);
                var generator = new CtganGenerator(shape);
                using var critic = new CtganDiscriminator(shape);
                var spans = transformer.Spans;
                double lambda = r.GradientPenalty!.Value;

                Tensor Generate(Tensor vector, out Tensor raw)
                {
                    var noise = torch.randn([vector.shape[0], shape.Embedding]);
                    raw = generator.forward(torch.cat([noise, vector], 1));
                    return SpanOutputs.Activate(raw, spans, GumbelTau);
                }
                (Tensor Vector, Tensor Mask, Tensor Real) Conditions(long step, int phase)
                {
                    var random = new Random(GaussianCopula.SeedOf(seed * 1_000_003 + step * 2 + phase));
                    var (vector, mask, real) = conditions.Training(batch, random);
                    return (tensor(vector, [batch, conditions.Width]), tensor(mask, [batch, mask.Length / batch]),
                        rows.index_select(0, tensor(real.Select(i => (long)i).ToArray())));
                }

                var criticObjective = new DelegateObjective((step, micro) =>
                {
                    torch.random.manual_seed(Seeding.Derive(seed, $"ctgan-step:{step}:critic"));
                    var (vector, _, real) = Conditions(step, 0);
                    Tensor fake;
                    using (torch.no_grad()) fake = Generate(vector, out _);
                    var realInput = torch.cat([real, vector], 1);
                    var fakeInput = torch.cat([fake, vector], 1);
                    var wasserstein = critic.forward(realInput).mean() - critic.forward(fakeInput).mean();
                    var penalty = lambda > 0 ? GradientPenalty(critic, realInput, fakeInput, pac) * lambda : torch.zeros([]);
                    return new TrainingLoss(-wasserstein + penalty, batch, new Dictionary<string, double>
                    {
                        ["wasserstein"] = wasserstein.item<float>(), ["penalty"] = penalty.item<float>(),
                    });
                });
                var generatorObjective = new DelegateObjective((step, micro) =>
                {
                    torch.random.manual_seed(Seeding.Derive(seed, $"ctgan-step:{step}:generator"));
                    var (vector, mask, _) = Conditions(step, 1);
                    var fake = Generate(vector, out var raw);
                    var crossEntropy = conditions.CrossEntropy(raw, vector, mask);
                    var loss = -critic.forward(torch.cat([fake, vector], 1)).mean() + crossEntropy;
                    return new TrainingLoss(loss, batch, new Dictionary<string, double> { ["condition_ce"] = crossEntropy.item<float>() });
                });
                OptimizerOptions Adam(double rate) => new()
                {
                    LearningRate = rate, Beta1 = 0.5, Beta2 = 0.9, WeightDecay = 1e-6, CoupledWeightDecay = true,
                };
                long steps = NeuralRecipeChecks.Steps(r.Epochs!.Value, table.RowCount, batch);
                var model = new CtganModel(transformer, generator, shape, table.RowCount);
                var result = fit.Run(model,
                [
                    new TrainingPhase("critic", criticObjective, Parameters(critic), Adam(r.DiscriminatorLearningRate!.Value)),
                    new TrainingPhase("generator", generatorObjective, Parameters(generator), Adam(r.GeneratorLearningRate!.Value)),
                ], steps, r.CheckpointEvery!.Value, [(generator, "generator."), (critic, "critic.")]);
                return (model, result);
            });
    }

    /// <summary>
    /// WGAN-GP's penalty with PacGAN groups: one mixing weight per group of <paramref name="pac"/> rows, the gradient of the
    /// critic's score at the interpolates taken per group, (‖∇‖ − 1)² averaged.
    /// </summary>
    private static Tensor GradientPenalty(CtganDiscriminator critic, Tensor real, Tensor fake, int pac)
    {
        long width = real.shape[1];
        var alpha = torch.rand([real.shape[0] / pac, 1, 1]).expand(-1, pac, width).reshape(-1, width);
        var mixed = (alpha * real + (1 - alpha) * fake).detach().requires_grad_(true);
        var scores = critic.forward(mixed);
        var gradient = torch.autograd.grad([scores.sum()], [mixed], retain_graph: true, create_graph: true)[0];
        var norms = (gradient.reshape(-1, pac * width).square().sum(1) + 1e-12).sqrt();
        return (norms - 1).square().mean();
    }

    private static List<TorchSharp.Modules.Parameter> Parameters(nn.Module module) =>
        module.parameters().Select(p => (TorchSharp.Modules.Parameter)p).ToList();
}
