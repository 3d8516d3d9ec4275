using Loom.Audio;
using Loom.Core;
using Loom.Data;
using Loom.Data.Tables;
using Loom.IO;
using Loom.IO.Images;
using Loom.Models;
using Loom.Models.Tabular;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.IO;

/// <summary><see cref="SampleFiles"/>: every kind of samples to the files its extension asks for, and back where a reader exists.</summary>
public sealed class SampleFilesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loom-sample-files-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    [Fact]
    public void Vectors_round_trip_through_csv_and_safetensors_with_their_labels()
    {
        using var values = torch.tensor(new float[] { 0.5f, -1.25f, 3f, 4.75f }).reshape(2, 2);
        using var labels = torch.tensor(new long[] { 1, 0 });
        var samples = new TensorSamples(values, labels) { ClassNames = ["a", "b"] };

        Assert.Equal([PathOf("v.csv")], SampleFiles.Write(samples, PathOf("v.csv")));
        using var read = NumericCsv.ReadMatrix(PathOf("v.csv"));
        Assert.True(read.to(ScalarType.Float32).equal(values).all().item<bool>());

        SampleFiles.Write(samples, PathOf("v.safetensors"));
        var loaded = SampleTensorFile.Load(PathOf("v.safetensors"));
        Assert.True(loaded.Values.equal(values).all().item<bool>());
        Assert.Equal([1L, 0L], loaded.Labels!.data<long>().ToArray());
        Assert.Equal(["a", "b"], loaded.ClassNames);
        Assert.Equal(File.ReadAllText(PathOf("v.csv")), SampleFiles.Format(samples));
    }

    [Fact]
    public void Images_become_a_grid_and_points_a_scatter_other_vectors_are_refused_as_png()
    {
        using var images = torch.rand(4, 1, 8, 8, generator: torch.manual_seed(1));
        SampleFiles.Write(new TensorSamples(images), PathOf("grid.png"));
        using var grid = Png.Read(PathOf("grid.png"));
        using var expected = SampleGrid.Build(images);
        Assert.Equal(expected.shape, grid.shape);

        using var points = torch.randn(50, 2, generator: torch.manual_seed(2));
        SampleFiles.Write(new TensorSamples(points), PathOf("points.png"));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(PathOf("points.png")).Take(4));

        using var cube = torch.randn(5, 3);
        var error = Assert.Throws<LoomUsageException>(() => SampleFiles.Write(new TensorSamples(cube), PathOf("cube.png")));
        Assert.Equal("Out", error.Option);
        Assert.Contains("[5, 3]", error.Problem);
        Assert.False(File.Exists(PathOf("cube.png")));
    }

    [Fact]
    public void One_image_is_written_as_itself_several_as_a_grid()
    {
        using var images = torch.rand(3, 1, 8, 8, generator: torch.manual_seed(4));
        SampleFiles.WriteImages(new TensorSamples(images.narrow(0, 0, 1)), PathOf("one.png"));
        using var one = Png.Read(PathOf("one.png"));
        Assert.Equal([1L, 8, 8], one.shape);
        Assert.True((one - images[0]).abs().max().item<float>() <= 0.5f / 255 + 1e-6f);
        SampleFiles.WriteImages(new TensorSamples(images), PathOf("three.png"));
        using var grid = Png.Read(PathOf("three.png"));
        using var expected = SampleGrid.Build(images);
        Assert.Equal(expected.shape, grid.shape);
        using var points = torch.rand(3, 2);
        Assert.Equal("Out", Assert.Throws<LoomUsageException>(() =>
            SampleFiles.WriteImages(new TensorSamples(points), PathOf("points.png"))).Option);
    }

    [Fact]
    public void Texts_tables_and_sequences_have_files_and_a_text_form()
    {
        var texts = new TextSamples(["first", "second"]);
        SampleFiles.Write(texts, PathOf("t.txt"));
        Assert.Equal("first\n\nsecond\n", File.ReadAllText(PathOf("t.txt")));
        Assert.Equal("first\n\nsecond\n", SampleFiles.Format(texts));

        var table = new TableSamples(Table.Parse("x,kind\n1.5,a\n2.5,b\n", "test"));
        SampleFiles.Write(table, PathOf("t.csv"));
        var back = Table.Read(PathOf("t.csv"));
        Assert.Equal(2, back.RowCount);
        Assert.Equal(table.Table.ToCsv(), SampleFiles.Format(table));

        using var observations = torch.tensor(new long[] { 2, 0, 1 });
        using var states = torch.tensor(new long[] { 1, 1, 0 });
        var sequences = new SequenceSamples([observations], [states]);
        SampleFiles.Write(sequences, PathOf("s.json"));
        Assert.Equal("[{\"observations\":[2,0,1],\"states\":[1,1,0]}]", File.ReadAllText(PathOf("s.json")));
    }

    [Fact]
    public void Audio_writes_a_wav_and_a_spectrogram_per_clip_and_has_no_text_form()
    {
        var tone = Enumerable.Range(0, 800).Select(i => 0.5f * MathF.Sin(i * 0.3f)).ToArray();
        var audio = new AudioSamples([new AudioClip(tone, 8000), new AudioClip(tone.Reverse().ToArray(), 8000)]);
        var written = SampleFiles.Write(audio, PathOf("clip.wav"));
        Assert.Equal([PathOf("clip-1.wav"), PathOf("clip-1.png"), PathOf("clip-2.wav"), PathOf("clip-2.png")], written);
        var clip = WavFile.Read(PathOf("clip-2.wav"));
        Assert.Equal(800, clip.Samples.Length);
        Assert.Equal(tone[^1], clip.Samples[0], 3);
        Assert.Equal("Out", Assert.Throws<LoomUsageException>(() => SampleFiles.Format(audio)).Option);
        var wrong = Assert.Throws<LoomUsageException>(() => SampleFiles.Write(audio, PathOf("clip.csv")));
        Assert.Contains(".wav", wrong.Problem);
    }

    [Fact]
    public void A_kind_written_to_a_foreign_extension_names_the_ones_it_can_take()
    {
        var error = Assert.Throws<LoomUsageException>(() => SampleFiles.Write(new TextSamples(["x"]), PathOf("x.png")));
        Assert.Equal("Out", error.Option);
        Assert.Equal("cannot write text samples to '" + PathOf("x.png") + "'; use .txt", error.Problem);
        Assert.False(File.Exists(PathOf("x.png")));
    }
}
