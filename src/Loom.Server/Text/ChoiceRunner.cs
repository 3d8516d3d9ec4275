using System.Runtime.CompilerServices;
using Loom.Text.Decoding;
using Loom.Text.Serving;

namespace Loom.Server.Text;

/// <summary>One engine update of choice <see cref="Index"/> (choices of prompt p are p·n … p·n + n − 1); a choice's final
/// update carries its <see cref="Moderation"/> review when the server moderates.</summary>
public sealed record ChoiceUpdate(int Index, CompletionUpdate Update, Loom.Safety.ModerationResult? Moderation = null);

/// <summary>
/// Runs a request's choices through a model's engine one after another: <c>n</c> per prompt, choice i of a prompt seeded
/// with <c>seed + i</c> when the request has a seed (so its first choice equals the same request with n = 1).
/// </summary>
public static class ChoiceRunner
{
    public static async IAsyncEnumerable<ChoiceUpdate> RunAsync(ITextCompletionEngine engine, IReadOnlyList<IReadOnlyList<int>> prompts,
        int n, GenerationSettings settings, [EnumeratorCancellation] CancellationToken cancellation)
    {
        for (int p = 0; p < prompts.Count; p++)
            for (int i = 0; i < n; i++)
            {
                var choice = settings.Clone();
                if (choice.Seed is { } seed) choice.Seed = unchecked(seed + i);
                var updates = engine.CompleteAsync(new CompletionRequest(prompts[p], choice), cancellation);
                await foreach (var update in updates.ConfigureAwait(false))
                    yield return new ChoiceUpdate(p * n + i, update);
            }
    }
}
