using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Decoding;

/// <summary>
/// The bookkeeping of <see cref="BeamSearch"/> on the CPU: each running beam's generated tokens and sum of
/// log-probabilities, each prompt's finished hypotheses and whether it is done.
/// </summary>
internal sealed class BeamState
{
    private readonly int _batch, _numBeams;
    private long[][] _generated;
    private double[] _scores;
    private readonly BeamHypotheses[] _hypotheses;
    private readonly bool[] _done;

    public BeamState(int batch, int numBeams, double lengthPenalty, bool earlyStopping)
    {
        _batch = batch;
        _numBeams = numBeams;
        _generated = Enumerable.Range(0, batch * numBeams).Select(_ => Array.Empty<long>()).ToArray();
        // Only the first beam of each prompt is live at the start, so the first step does not pick the same token num_beams times.
        _scores = Enumerable.Range(0, batch * numBeams).Select(i => i % numBeams == 0 ? 0.0 : -1e9).ToArray();
        _hypotheses = Enumerable.Range(0, batch).Select(_ => new BeamHypotheses(numBeams, lengthPenalty, earlyStopping)).ToArray();
        _done = new bool[batch];
    }

    public bool AllDone => _done.All(d => d);

    /// <summary>The generated tokens of every beam, [N, steps so far] int64.</summary>
    public Tensor GeneratedTensor(Device device) =>
        torch.tensor(_generated.SelectMany(g => g).ToArray(), [_generated.Length, _generated[0].Length]).to(device);

    /// <summary>Running sums of log-probabilities, [N] float64.</summary>
    public Tensor ScoresTensor(Device device) => torch.tensor(_scores).to(device);

    /// <summary>
    /// One step: <paramref name="values"/> and <paramref name="indices"/> are each prompt's <paramref name="candidates"/>
    /// best (beam × vocabulary) entries, row-major [batch, candidates], best first.
    /// </summary>
    public void Advance(int step, double[] values, long[] indices, int candidates, long vocab, IReadOnlyList<int> eos)
    {
        var nextGenerated = new long[_generated.Length][];
        var nextScores = new double[_scores.Length];
        long filler = eos.Count > 0 ? eos[0] : 0;
        for (int b = 0; b < _batch; b++)
        {
            int first = b * _numBeams, kept = 0;
            if (_done[b])
            {
                for (int j = 0; j < _numBeams; j++)
                    nextGenerated[first + j] = [.. _generated[first + j], filler];
                continue;
            }
            for (int rank = 0; rank < candidates && kept < _numBeams; rank++)
            {
                double sum = values[b * candidates + rank];
                long flat = indices[b * candidates + rank];
                int beam = first + (int)(flat / vocab);
                long token = flat % vocab;
                long[] tokens = [.. _generated[beam], token];
                if (eos.Contains((int)token))
                {
                    if (rank < _numBeams)
                        _hypotheses[b].Add(tokens, sum, finished: true);
                    continue;
                }
                nextGenerated[first + kept] = tokens;
                nextScores[first + kept] = sum;
                kept++;
            }
            if (kept < _numBeams)
                throw new LoomUsageException($"beam search found only {kept} continuations that are not end-of-sequence for {_numBeams} "
                    + $"beams; the vocabulary is too small for num_beams");
            _done[b] = _hypotheses[b].IsDone(values[b * candidates], step);
        }
        _generated = nextGenerated;
        _scores = nextScores;
    }

    /// <summary>At the length limit: the running beams of prompts that are not done become hypotheses.</summary>
    public void FinishRunning()
    {
        for (int b = 0; b < _batch; b++)
        {
            if (_done[b])
                continue;
            for (int j = 0; j < _numBeams; j++)
                _hypotheses[b].Add(_generated[b * _numBeams + j], _scores[b * _numBeams + j], finished: false);
        }
    }

    public IReadOnlyList<IReadOnlyList<BeamHypothesis>> Results() => _hypotheses.Select(h => h.Sorted()).ToArray();
}
