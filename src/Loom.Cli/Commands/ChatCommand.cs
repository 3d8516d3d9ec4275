using System.CommandLine;
using Loom.AI;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Text.Generation;
using Microsoft.Extensions.AI;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom chat CKPT|HF_DIR</c>: an interactive loop over a neural text model through the library's
/// <see cref="LoomChatClient"/>. Each line you type is a user message; the model's reply (streamed) is rendered with
/// the folder's chat template when it has one, else in Loom's plain format (the conversation so far, a reply ending at
/// a blank line). <c>/reset</c> clears the history, <c>/history</c> shows the prompt so far, <c>/exit</c> (or end of
/// input) leaves.
/// </summary>
public static class ChatCommand
{
    public static Command Create()
    {
        var checkpoint = CliOptions.Checkpoint();
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature", DefaultValueFactory = _ => 0.8 };
        var system = new Option<string?>("--system") { Description = "A system message placed before the conversation" };
        var seed = CliOptions.Seed();
        var device = CliOptions.Device();
        var dtype = CliOptions.Dtype();
        var adapter = AdapterCliOption.Create();
        var generation = new GenerationCliOptions();
        var moderation = new ModerationCliOptions();
        var command = new Command("chat",
            "Talk to a text model in a loop that keeps the conversation history")
        {
            checkpoint, temperature, system, seed, device, dtype, adapter,
        };
        foreach (var option in generation.All) command.Options.Add(option);
        foreach (var option in moderation.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var folder = parse.GetValue(checkpoint)!;
            using var loaded = AdapterCliOption.Load(parse, folder, adapter, device, dtype);
            if (loaded.GetService<ITextGenerationModel>() is not { } model)
                throw new LoomUsageException(
                    $"loom chat needs a neural text model (gpt, llama, lstm, gru); {folder} is a '{loaded.Kind}' model");
            // Chat samples at 0.8 unless --temperature says otherwise or the checkpoint declares a temperature of its own.
            bool declared = model.DefaultSettings().Temperature != 1.0;
            bool given = parse.GetResult(temperature) is { Implicit: false };
            double? chosen = given || !declared ? CliOptions.PositiveDouble(parse, temperature) : null;
            var settings = generation.Build(parse, model, 200, chosen, parse.GetValue(seed));
            if (settings.NumBeams > 1) throw new LoomUsageException("--beams: chat streams its replies; beam search cannot stream");
            var moderator = moderation.Build(parse);
            bool holdBack = moderator?.MayChangeOutput ?? false;   // redact/block: show a reply only after review
            var format = ChatPromptFormats.For(folder);
            using var client = new LoomChatClient(model, Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)), format, settings);
            var history = Start(parse.GetValue(system));
            int turn = 0;
            console.WriteLine($"chatting with {loaded.Kind} ({folder}); /reset clears the history, /exit leaves");
            while (!CliContext.Cancellation.IsCancellationRequested)
            {
                console.Write("> ");
                console.Flush();
                var line = Console.In.ReadLine();
                if (line is null || line.Trim() == "/exit") break;
                switch (line.Trim())
                {
                    case "/reset":
                        history = Start(parse.GetValue(system));
                        console.WriteLine("(history cleared)");
                        continue;
                    case "/history":
                        console.WriteLine(format.Format(history));
                        continue;
                }
                history.Add(new ChatMessage(ChatRole.User, line));
                var options = new ChatOptions { Seed = settings.Seed + turn++ };
                var reply = new System.Text.StringBuilder();
                try
                {
                    var updates = client.GetStreamingResponseAsync(history, options, CliContext.Cancellation);
                    foreach (var update in updates.ToBlockingEnumerable())
                    {
                        reply.Append(update.Text);
                        if (holdBack) continue;
                        console.Write(update.Text);
                        console.Flush();
                    }
                }
                catch (OperationCanceledException) when (CliContext.Cancellation.IsCancellationRequested)
                {
                    console.WriteLine();
                    break;   // Ctrl-C or SIGTERM: leave as a finished chat does
                }
                string shown = reply.ToString();
                if (moderator is not null)
                {
                    var review = moderator.Review(shown);
                    ModerationCliOptions.Report(review, $"reply {turn}");
                    shown = review.Blocked ? ModerationCliOptions.Placeholder(review) : review.Text;
                    if (holdBack) console.Write(shown);
                }
                console.WriteLine();
                // The history keeps what was shown, so a withheld reply is not fed back to the model.
                history.Add(new ChatMessage(ChatRole.Assistant, shown));
            }
            return 0;
        });
        return command;
    }

    private static List<ChatMessage> Start(string? system) => system is null ? [] : [new ChatMessage(ChatRole.System, system)];
}
