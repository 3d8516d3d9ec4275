using System.Globalization;
using System.Text.RegularExpressions;
using Loom.Tests.Support;
using Mono.Cecil;

namespace Loom.Tests.Packaging;

/// <summary>
/// Loom as a .NET team consumes it: samples/Loom.Samples.Console, copied to an empty folder, builds against the Loom
/// package from a local feed and runs (a GMM, a few transformer steps, a streamed sample); the Loom.Cli tool package
/// installs into a folder and its <c>loom</c> command runs outside the repository.
/// </summary>
public sealed class PackageConsumerTests(LocalPackageFeed feed) : IClassFixture<LocalPackageFeed>
{
    [Fact]
    public void Sample_app_builds_against_the_package_and_fits_trains_and_streams()
    {
        var work = RepoPaths.NewTempDir("loom-sample");
        try
        {
            var app = Path.Combine(work, "Loom.Samples.Console");
            CopyFolder(Path.Combine(RepoPaths.Root, "samples", "Loom.Samples.Console"), app);
            feed.WriteNuGetConfig(work);
            var build = LocalPackageFeed.Dotnet(app, TimeSpan.FromMinutes(10),
                "build", "-c", "Release", "-v", "q", "-nologo", "-p:LoomVersion=" + feed.Version);
            Assert.True(build.ExitCode == 0, build.ToString());

            var output = Path.Combine(app, "bin", "Release", "net10.0");
            // What the package's buildTransitive targets and content files put beside the consumer's program.
            using (var torchSharp = ModuleDefinition.ReadModule(Path.Combine(output, "TorchSharp.dll")))
                Assert.Contains(torchSharp.Assembly.CustomAttributes, a => a.ConstructorArguments.Count == 2 &&
                    (string)a.ConstructorArguments[0].Value == "Loom.TorchLifetimes");
            Assert.True(File.Exists(Path.Combine(output, "data", "tinyshakespeare.txt")));
            Assert.True(File.Exists(Path.Combine(output, "reference", "fmnist-classifier", "model.safetensors")));

            var run = ProcessRunner.Run("dotnet", [Path.Combine(output, "Loom.Samples.Console.dll")], app, TimeSpan.FromMinutes(10),
                new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "1" });
            Assert.True(run.ExitCode == 0, run.ToString());
            // 8-gaussians (radius 2, σ 0.5 per the toy set) has a mean log-likelihood near −2.84 under its own mixture.
            double logLikelihood = Number(run.Stdout, @"gmm: 8 components, mean log-likelihood (\S+) nats per point");
            Assert.InRange(logLikelihood, -3.2, -2.5);
            // The untrained model scores ln(65) ≈ 4.17 nats per character; 40 steps must bring it well below.
            double loss = Number(run.Stdout, @"transformer: 40 steps, last training loss (\S+) nats per character");
            Assert.InRange(loss, 1.0, 3.8);
            var sample = Regex.Match(run.Stdout, @"sample: ROMEO:(.*)", RegexOptions.Singleline).Groups[1].Value;
            Assert.True(sample.Trim().Length >= 40, run.ToString());
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public void Tool_package_installs_a_loom_command_that_runs_outside_the_repository()
    {
        var work = RepoPaths.NewTempDir("loom-tool");
        try
        {
            var tools = Path.Combine(work, "tools");
            var install = LocalPackageFeed.Dotnet(work, TimeSpan.FromMinutes(10),
                "tool", "install", "--tool-path", tools, "--add-source", feed.Folder, "Loom.Cli", "--version", feed.Version);
            Assert.True(install.ExitCode == 0, install.ToString());
            var loom = Path.Combine(tools, "loom");
            var environment = new Dictionary<string, string> { ["HOME"] = work, ["OMP_NUM_THREADS"] = "1" };

            var doctor = ProcessRunner.Run(loom, ["doctor"], work, TimeSpan.FromMinutes(2), environment);
            Assert.True(doctor.ExitCode == 0, doctor.ToString());
            Assert.Contains("lifetime guard  in use", doctor.Stdout);

            var train = ProcessRunner.Run(loom, ["train", "ngram", "--data", "names", "--order", "3", "--out", "names-3gram"], work,
                TimeSpan.FromMinutes(5), environment);
            Assert.True(train.ExitCode == 0, train.ToString());
            var sample =
                ProcessRunner.Run(loom, ["sample", "names-3gram", "--n", "5", "--seed", "1"], work, TimeSpan.FromMinutes(2), environment);
            Assert.True(sample.ExitCode == 0, sample.ToString());
            var names = sample.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(names.Length >= 5 && names.All(n => Regex.IsMatch(n, "^[a-z]+$")), sample.ToString());
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static double Number(string text, string pattern)
    {
        var match = Regex.Match(text, pattern);
        Assert.True(match.Success, $"'{pattern}' not found in:\n{text}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith("bin" + Path.DirectorySeparatorChar) || relative.StartsWith("obj" + Path.DirectorySeparatorChar))
                continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            File.Copy(file, Path.Combine(to, relative));
        }
    }
}
