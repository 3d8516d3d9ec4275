using Loom.Tests.Provenance;
using Loom.Tests.Support;

namespace Loom.Tests.Cli;

/// <summary><c>loom provenance keygen|sign|verify</c> through the real binary.</summary>
public class ProvenanceCliTests
{
    private static readonly string Weights = new('b', 64);

    private static string[] SignArgs(string file, string output) =>
        ["provenance", "sign", file, "--key", "keys", "--out", output, "--model-kind", "diffusion", "--weights-sha256", Weights,
            "--seed", "7", "--param", "steps=12", "--param", "guidance=2"];

    [Fact]
    public void KeygenSignVerify_Png_IsUntrustedThenValidWithTrustList_AndTamperedAfterAPixelChange()
    {
        using var dir = new TempFolder();
        File.WriteAllBytes(dir.File("out.png"), ProvenanceFixtures.Png8x8());

        var keygen = CliRunner.Run(dir.Path, "provenance", "keygen", "--out", "keys");
        Assert.True(keygen.ExitCode == 0, keygen.ToString());
        var sign = CliRunner.Run(dir.Path, SignArgs("out.png", "signed.png"));
        Assert.True(sign.ExitCode == 0, sign.ToString());
        var verify = CliRunner.Run(dir.Path, "provenance", "verify", "signed.png");
        var trusted = CliRunner.Run(dir.Path, "provenance", "verify", "signed.png", "--trust", "keys/signer.pem");
        File.WriteAllBytes(dir.File("edited.png"), ProvenanceFixtures.WithOnePixelChanged(File.ReadAllBytes(dir.File("signed.png"))));
        var edited = CliRunner.Run(dir.Path, "provenance", "verify", "edited.png");
        var unsigned = CliRunner.Run(dir.Path, "provenance", "verify", "out.png");

        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("status     untrusted-signer", verify.Stdout);
        Assert.Contains("actions    c2pa.created", verify.Stdout);
        Assert.Contains($"model      diffusion (weights sha256 {Weights})", verify.Stdout);
        Assert.Contains("seed       7", verify.Stdout);
        Assert.Contains("parameters guidance=2 steps=12", verify.Stdout);
        Assert.True(trusted.ExitCode == 0, trusted.ToString());
        Assert.Contains("status     valid", trusted.Stdout);
        Assert.True(edited.ExitCode == 1, edited.ToString());
        Assert.Contains("status     tampered (data-hash-mismatch)", edited.Stdout);
        Assert.True(unsigned.ExitCode == 1, unsigned.ToString());
        Assert.Contains("status     unsigned", unsigned.Stdout);
        var reading = C2paPeer.Read(dir.File("signed.png"), "image/png");
        Assert.True(reading.Failures.SequenceEqual(["signingCredential.untrusted"]), reading.Raw);
    }

    [Fact]
    public void SignVerify_TextFile_WritesASidecar_AndAnEditIsTampered()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("story.txt"), "Once upon a sampled time.\n");
        Assert.Equal(0, CliRunner.Run(dir.Path, "provenance", "keygen", "--out", "keys").ExitCode);

        var sign = CliRunner.Run(dir.Path, SignArgs("story.txt", "signed.txt"));
        Assert.True(sign.ExitCode == 0, sign.ToString());
        Assert.True(File.Exists(dir.File("signed.txt.c2pa")), sign.ToString());
        var verify = CliRunner.Run(dir.Path, "provenance", "verify", "signed.txt");
        File.AppendAllText(dir.File("signed.txt"), "The end.\n");
        var edited = CliRunner.Run(dir.Path, "provenance", "verify", "signed.txt");
        var noSidecar = CliRunner.Run(dir.Path, "provenance", "verify", "story.txt");

        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("status     untrusted-signer", verify.Stdout);
        Assert.True(edited.ExitCode == 1, edited.ToString());
        Assert.Contains("status     tampered (data-hash-mismatch)", edited.Stdout);
        Assert.True(noSidecar.ExitCode == 1, noSidecar.ToString());
        Assert.Contains("status     unsigned", noSidecar.Stdout);
    }

    [Fact]
    public void SampleSign_RecordsTheCheckpointKindWeightsSeedAndOptions()
    {
        using var dir = new TempFolder();
        Assert.Equal(0, CliRunner.Run(dir.Path, "provenance", "keygen", "--out", "keys").ExitCode);
        var train = CliRunner.Run(dir.Path, "train", "gmm", "--data", "moons", "--components", "2", "--points", "200", "--out", "ckpt");
        Assert.True(train.ExitCode == 0, train.ToString());

        var sample = CliRunner.Run(dir.Path, "sample", "ckpt", "--n", "50", "--seed", "9", "--out", "points.png", "--sign", "keys");
        var csv = CliRunner.Run(dir.Path, "sample", "ckpt", "--n", "5", "--out", "points.csv", "--sign", "keys");
        var verify = CliRunner.Run(dir.Path, "provenance", "verify", "points.png");
        var verifyCsv = CliRunner.Run(dir.Path, "provenance", "verify", "points.csv");

        Assert.True(sample.ExitCode == 0, sample.ToString());
        Assert.True(verify.ExitCode == 0, verify.ToString());
        var weights = Loom.IO.FileHash.Sha256(dir.File("ckpt/model.safetensors"));
        Assert.Contains($"model      gmm (weights sha256 {weights})", verify.Stdout);
        Assert.Contains("seed       9", verify.Stdout);
        Assert.Contains("parameters n=50", verify.Stdout);
        Assert.True(csv.ExitCode == 0 && File.Exists(dir.File("points.csv.c2pa")), csv.ToString());
        Assert.True(verifyCsv.ExitCode == 0, verifyCsv.ToString());
        CliAssert.OneLineError(CliRunner.Run(dir.Path, "sample", "ckpt", "--sign", "keys"), 2, "--out");
        CliAssert.OneLineError(CliRunner.Run(dir.Path, "sample", "ckpt", "--out", "x.png", "--sign", "nokeys"), 1, "no such key folder");
        Assert.False(File.Exists(dir.File("x.png")));
    }

    [Fact]
    public void BadInput_IsOneLineError()
    {
        using var dir = new TempFolder();
        File.WriteAllText(dir.File("fake.png"), "this is text, not a PNG");
        File.WriteAllBytes(dir.File("real.png"), ProvenanceFixtures.Png8x8());
        Assert.Equal(0, CliRunner.Run(dir.Path, "provenance", "keygen", "--out", "keys").ExitCode);

        CliAssert.OneLineError(CliRunner.Run(dir.Path, SignArgs("fake.png", "signed.png")), 1, "not a PNG");
        CliAssert.OneLineError(CliRunner.Run(dir.Path, "provenance", "verify", "fake.png"), 1, "not a PNG");
        CliAssert.OneLineError(CliRunner.Run(dir.Path, "provenance", "verify", "missing.png"), 1, "does not exist");
        var missingKey = SignArgs("real.png", "signed.png");
        missingKey[4] = "no-such-keys";
        CliAssert.OneLineError(CliRunner.Run(dir.Path, missingKey), 1, "no such key folder");
        var unnamed = CliRunner.Run(dir.Path, "provenance", "sign", "real.png", "--key", "keys", "--out", "s.png");
        CliAssert.OneLineError(unnamed, 2, "--checkpoint");
        var badHash = SignArgs("real.png", "signed.png");
        badHash[10] = "xyz";
        CliAssert.OneLineError(CliRunner.Run(dir.Path, badHash), 2, "--weights-sha256");
        CliAssert.OneLineError(CliRunner.Run(dir.Path, "provenance", "keygen", "--out", "keys"), 2, "already holds a signing key");
        var noDays = CliRunner.Run(dir.Path, "provenance", "keygen", "--out", "k2", "--days", "0");
        CliAssert.OneLineError(noDays, 2, "--days: must be at least 1");
        CliAssert.OneLineError(CliRunner.Run(dir.Path, [.. SignArgs("real.png", "s.png"), "--param", "steps"]), 2, "--param");
        Assert.False(File.Exists(dir.File("signed.png")));
    }
}
