using Loom.Audio;
using Loom.Core;
using Loom.Data.Audio;
using Loom.IO.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.WaveNet;

/// <summary>
/// The training clips of spoken-digits as μ-law levels with their digits, and the random fixed-length windows a WaveNet
/// trains on: a window of step s is drawn from a generator seeded with (seed, s), so a resumed run sees the same windows.
/// A window of a clip shorter than the window is padded with the silence level and the padding is masked out; a window
/// that does not start at the clip's start scores only the positions whose whole receptive field lies inside it. Each
/// sample's position in its clip (index / clip length) comes with the window, for a model with a timeline.
/// </summary>
public sealed class WaveNetTrainingData
{
    private WaveNetTrainingData(string index, IReadOnlyList<byte[]> clips, IReadOnlyList<int> digits, int sampleRate)
    {
        Index = index;
        Clips = clips;
        Digits = digits;
        SampleRate = sampleRate;
    }

    /// <summary>The index file the clips come from.</summary>
    public string Index { get; }
    /// <summary>μ-law levels of each clip.</summary>
    public IReadOnlyList<byte[]> Clips { get; }
    public IReadOnlyList<int> Digits { get; }
    public int SampleRate { get; }

    /// <summary>Where the data came from, for the model card.</summary>
    public DataProvenance Provenance => DataProvenance.OfFile(Index);

    /// <summary>The train split of <paramref name="spec"/> (see <see cref="SpokenDigits.ResolveIndex"/>).</summary>
    public static WaveNetTrainingData Load(string spec, string split = SpokenDigits.TrainSplit)
    {
        var index = SpokenDigits.ResolveIndex(spec);
        var clips = SpokenDigits.Load(index, split);
        if (clips.Count == 0) throw LoomDataException.ForOption("Data", $"{spec}: the index lists no {split} clips");
        int rate = clips[0].Clip.SampleRate;
        if (clips.Any(c => c.Clip.SampleRate != rate))
            throw LoomDataException.ForOption("Data", $"{spec}: the clips have different sample rates");
        return new WaveNetTrainingData(index, clips.Select(c => MuLaw.Encode(c.Clip.Samples)).ToList(),
            clips.Select(c => c.Row.Digit).ToList(), rate);
    }

    /// <summary>
    /// Levels [batch, window] int64, digits [batch] int64, a 0/1 mask [batch, window] of the positions that count and
    /// each sample's position in its clip [batch, window] (float32, index / clip length; ≥ 1 in the padding).
    /// </summary>
    public (Tensor Levels, Tensor Digits, Tensor Mask, Tensor Positions) Window(long seed, long step, int batch, int window,
        int receptiveField)
    {
        var random = Core.Seeding.DotnetRandom(seed, $"wavenet-window-{step}");
        var levels = new long[batch * window];
        var mask = new float[batch * window];
        var positions = new float[batch * window];
        var digits = new long[batch];
        int warm = Math.Min(receptiveField, window / 2);
        for (int b = 0; b < batch; b++)
        {
            int c = random.Next(Clips.Count);
            var clip = Clips[c];
            int start = clip.Length > window ? random.Next(clip.Length - window + 1) : 0;
            digits[b] = Digits[c];
            for (int i = 0; i < window; i++)
            {
                bool inside = start + i < clip.Length;
                levels[b * window + i] = inside ? clip[start + i] : MuLaw.Encode(0.0);
                mask[b * window + i] = inside && (start == 0 || i >= warm) ? 1 : 0;
                positions[b * window + i] = (float)((double)(start + i) / clip.Length);
            }
        }
        return (torch.tensor(levels, [batch, window], ScalarType.Int64), torch.tensor(digits, ScalarType.Int64),
            torch.tensor(mask, [batch, window], ScalarType.Float32), torch.tensor(positions, [batch, window], ScalarType.Float32));
    }
}
