using Loom.Audio;
using Loom.Core;
using Loom.Evaluation.Audio;

namespace Loom.Tests.Evaluation.Audio;

/// <summary>
/// The softmax-regression clip classifier on synthetic "words" (two tones one after the other, the pair set by the class,
/// spoken by "speakers" that shift every frequency): held-out speakers are recognised, which needs the time order (two
/// classes use the same tones reversed); a refit gives the same weights; probabilities are a distribution; bad input is
/// a typed error.
/// </summary>
public class SpectrogramClassifierTests
{
    private static readonly (double First, double Second)[] Words = [(400, 900), (900, 400), (600, 1500), (1500, 2400)];

    private static AudioClip Word(int word, double pitch, Random random)
    {
        int n = random.Next(2400, 3600), silence = random.Next(100, 600);
        double amplitude = 0.2 + 0.6 * random.NextDouble(), phase = random.NextDouble() * 6.28;
        var samples = new float[n + 2 * silence];
        for (int i = 0; i < n; i++)
        {
            double hz = (i < n / 2 ? Words[word].First : Words[word].Second) * pitch;
            samples[silence + i] = (float)(amplitude * Math.Sin(2 * Math.PI * hz * i / 8000 + phase) + 0.01 * (random.NextDouble() - 0.5));
        }
        return new AudioClip(samples, 8000);
    }

    private static (List<AudioClip> Clips, List<int> Labels) Speakers(double[] pitches, int seed)
    {
        var random = new Random(seed);
        var clips = new List<AudioClip>();
        var labels = new List<int>();
        foreach (double pitch in pitches)
            for (int word = 0; word < Words.Length; word++)
            {
                clips.Add(Word(word, pitch, random));
                labels.Add(word);
            }
        return (clips, labels);
    }

    [Fact]
    public void HeldOutSpeakersAreRecognised()
    {
        var (train, trainLabels) = Speakers([0.92, 0.96, 1.0, 1.04, 1.08], seed: 1);
        var (test, testLabels) = Speakers([0.94, 1.02, 1.06], seed: 2);
        var classifier = SpectrogramClassifier.Train(train, trainLabels, Words.Length);
        Assert.Equal(4, classifier.Classes);
        Assert.Equal(1.0, classifier.Accuracy(train, trainLabels));
        Assert.Equal(1.0, classifier.Accuracy(test, testLabels));
        // The two reversed words differ only in time order; both are told apart with confidence.
        Assert.True(classifier.Probabilities(test[0])[0] > 0.9, $"p(word 0) {classifier.Probabilities(test[0])[0]}");
        Assert.True(classifier.Probabilities(test[1])[1] > 0.9, $"p(word 1) {classifier.Probabilities(test[1])[1]}");
    }

    [Fact]
    public void ARefitGivesTheSameProbabilitiesAndTheyFormADistribution()
    {
        var (train, labels) = Speakers([0.95, 1.05], seed: 3);
        var options = new SpectrogramClassifierOptions { Iterations = 50 };
        var a = SpectrogramClassifier.Train(train, labels, Words.Length, options);
        var b = SpectrogramClassifier.Train(train, labels, Words.Length, options.Clone());
        foreach (var clip in train)
        {
            var p = a.Probabilities(clip);
            Assert.Equal(p, b.Probabilities(clip));
            Assert.Equal(1.0, p.Sum(), 12);
            Assert.All(p, v => Assert.InRange(v, 0.0, 1.0));
        }
    }

    [Fact]
    public void BadInputIsATypedError()
    {
        var (clips, labels) = Speakers([1.0], seed: 4);
        Assert.Throws<LoomDataException>(() => SpectrogramClassifier.Train(clips, labels.Take(2).ToList(), 4));
        Assert.Throws<LoomDataException>(() => SpectrogramClassifier.Train(clips, [0, 1, 2, 4], 4));
        Assert.Throws<LoomDataException>(() => SpectrogramClassifier.Train([], [], 4));
        Assert.Equal("classes", Assert.Throws<LoomUsageException>(() => SpectrogramClassifier.Train(clips, labels, 1)).Option);
        var badRate = new SpectrogramClassifierOptions { LearningRate = 0 };
        var error = Assert.Throws<LoomUsageException>(() => SpectrogramClassifier.Train(clips, labels, 4, badRate));
        Assert.Equal("LearningRate", error.Option);
        var classifier = SpectrogramClassifier.Train(clips, labels, 4, new SpectrogramClassifierOptions { Iterations = 5 });
        Assert.Throws<LoomDataException>(() => classifier.Accuracy(clips, labels.Take(3).ToList()));
    }
}
