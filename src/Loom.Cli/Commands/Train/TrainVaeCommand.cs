using System.CommandLine;
using Loom.Data;
using Loom.Models;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// <c>loom train vae|cvae</c>: maps flags onto the VAE family's recipe (<c>cvae</c> sets <c>conditional</c>; unset flags
/// take the recipe's preset for the data) and trains through the registry. Nothing here decides how a model is trained.
/// </summary>
public static class TrainVaeCommand
{
    public static IEnumerable<Command> Create()
    {
        yield return Build("vae", "Variational autoencoder (MLP or conv, Bernoulli or Gaussian, β-VAE, IWAE)", conditional: false);
        yield return Build("cvae", "Class-conditional VAE: encoder and decoder see the class; sample any class with --class",
            conditional: true);
    }

    private static Command Build(string name, string description, bool conditional)
    {
        var data = new Option<string?>("--data")
        {
            Description = $"fashion-mnist, a toy 2-D set ({string.Join(", ", ToyData.Names)}) or a numeric CSV",
        };
        var network = new Option<string?>("--network") { Description = "mlp | conv (28×28 images) (default mlp)" };
        var likelihood = new Option<string?>("--likelihood")
        {
            Description = "bernoulli (binarized images; default for images) | gaussian (default for vectors)",
        };
        var latent = new Option<int?>("--latent-dim") { Description = "Latent dimensions (default 16)" };
        var hidden = new Option<int?>("--hidden") { Description = "Hidden width (default 400 for images, 128 for vectors)" };
        var layers = new Option<int?>("--layers") { Description = "Hidden layers in encoder and decoder (MLP; default 2)" };
        var baseChannels = new Option<int?>("--base-channels") { Description = "Conv channels at 14×14 (conv network; default 32)" };
        var resBlocks = new Option<int?>("--res-blocks")
        {
            Description = "Residual blocks at 7×7 (encoder, decoder) and 14×14 (decoder) (conv network; default 0)",
        };
        var beta = new Option<double?>("--beta") { Description = "KL weight (β-VAE); 1 = ELBO (default 1)" };
        var iwae = new Option<int?>("--iwae") { Description = "Train on the IWAE bound with K importance samples (1 = ELBO; default 1)" };
        var klWarmup = new Option<long?>("--kl-warmup") { Description = "Ramp β from 0 over N steps (default 0)" };
        var adversarial = new Option<double?>("--adversarial")
        {
            Description = "VAE-GAN: weight λ of a discriminator's loss on the reconstructions (sharper decoder means; 28×28 images); "
                + "0 = off (default)",
        };
        var adversaryLr = new Option<double?>("--adversary-lr")
        {
            Description = "Learning rate of the VAE-GAN discriminator (Adam, β₁ 0; default 4e-4)",
        };
        var steps = new Option<long?>("--steps") { Description = "Optimizer steps (default 5000)" };
        var batchSize = new Option<int?>("--batch-size") { Description = "Examples per step (default 128)" };
        var lr = new Option<double?>("--lr") { Description = "Learning rate (AdamW; default 1e-3)" };
        var warmup = new Option<long?>("--warmup") { Description = "Linear learning-rate warmup steps (default 100)" };
        var classes = new Option<string?>("--classes") { Description = "Train only on these Fashion-MNIST classes, e.g. 0,5,7" };
        var exclude = new Option<int?>("--exclude-class") { Description = "Train on every Fashion-MNIST class but K (anomaly detection)" };
        var latentPrior = new Option<string?>("--latent-prior")
        {
            Description = "Prior to sample from: normal (N(0, I); default) | gmm (after training, fit a Gaussian mixture per class to the "
                + "training set's posterior means)",
        };
        var priorComponents = new Option<int?>("--prior-components")
        {
            Description = "Components of the gmm latent prior (per class for cvae; default 10)",
        };
        var evalK = new Option<int?>("--eval-k") { Description = "Importance samples for the held-out NLL (0 = ELBO only; default 100)" };
        var evalN = new Option<int?>("--eval-n") { Description = "Held-out examples to evaluate (default 1000)" };
        var points = new Option<int?>("--points") { Description = "Points to draw for a toy data set (default 20000)" };
        var trainLimit = new Option<int?>("--train-limit")
        {
            Description = "Train on the first N images of the chosen classes (fashion-mnist; 0 = all; default 0)",
        };
        var checkpointEvery = new Option<long?>("--checkpoint-every")
        {
            Description = "Save every N steps (0 = at the end and on Ctrl-C; default 1000)",
        };
        var seed = new Option<long?>("--seed") { Description = "Seed for every random number generator (default 0)" };
        var dp = new DpTrainingFlags("MLP or conv network, ELBO");
        var shared = new CliTraining();
        var command = new Command(name, description)
        {
            data, network, likelihood, latent, hidden, layers, baseChannels, resBlocks, beta, iwae, klWarmup, adversarial, adversaryLr,
            steps, batchSize, lr, warmup, classes, exclude, latentPrior, priorComponents, evalK, evalN, points, trainLimit,
            checkpointEvery, seed,
        };
        foreach (var option in dp.All.Concat(shared.All)) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var flags = dp.AddTo(new RecipeFlags(parse))
                .Add("data", data).Add("network", network).Add("likelihood", likelihood).Add("latent_dim", latent).Add("hidden", hidden)
                .Add("layers", layers).Add("base_channels", baseChannels).Add("res_blocks", resBlocks).Add("beta", beta).Add("iwae", iwae)
                .Add("kl_warmup", klWarmup).Add("adversarial", adversarial).Add("adversary_learning_rate", adversaryLr).Add("steps", steps)
                .Add("batch_size", batchSize).Add("learning_rate", lr).Add("warmup", warmup).Add("classes", classes)
                .Add("exclude_class", exclude)
                .Add("latent_prior", latentPrior).Add("prior_components", priorComponents).Add("eval_k", evalK).Add("eval_n", evalN)
                .Add("points", points).Add("train_limit", trainLimit).Add("checkpoint_every", checkpointEvery).Add("seed", seed)
                .Set("conditional", conditional, $"{name} (conditional)");
            var recipe = shared.Recipe(parse, flags.Json);
            using var progress = new ConsoleProgress($"train {name}", Console.Error);
            var context = shared.Context(parse, progress, console);
            using var outcome = ModelRegistry.Trainable("vae").Train(recipe, context);
            CliTraining.Report(outcome, context, console);
            return 0;
        });
        return command;
    }
}
