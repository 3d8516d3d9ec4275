using System.CommandLine;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Text.Generation;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom chat CKPT</c>: an interactive loop over a neural text model. Each line you type is appended to the
/// conversation so far, the model continues it (streamed) until a blank line, a stop string or the token limit, and its
/// reply joins the history. <c>/reset</c> clears the history, <c>/history</c> shows it, <c>/exit</c> (or end of input) leaves.
/// </summary>
public static class ChatCommand
{
    public static Command Create()
    {
        var checkpoint = CliOptions.Checkpoint();
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature", DefaultValueFactory = _ => 0.8 };
        var system = new Option<string?>("--system") { Description = "Text placed before the conversation" };
        var seed = CliOptions.Seed();
        var device = CliOptions.Device();
        var generation = new GenerationCliOptions();
        var command = new Command("chat",
            "Talk to a text model in a loop that keeps the conversation history") { checkpoint, temperature, system, seed, device };
        foreach (var option in generation.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var folder = parse.GetValue(checkpoint)!;
            using var loaded = Checkpoint.Load(folder, DeviceSelector.Parse(parse.GetValue(device)));
            if (loaded.GetService<ITextGenerationModel>() is not { } model)
                throw new LoomUsageException(
                    $"loom chat needs a neural text model (gpt, llama, lstm, gru); {folder} is a '{loaded.Kind}' model");
            var settings = generation.Build(parse, folder, model, 200, CliOptions.PositiveDouble(parse, temperature), parse.GetValue(seed));
            if (settings.Stop.Count == 0) settings.Stop.Add("\n\n");
            if (settings.NumBeams > 1) throw new LoomUsageException("--beams: chat streams its replies; beam search cannot stream");
            var generator = model.CreateGenerator();
            var history = new System.Text.StringBuilder(parse.GetValue(system) ?? "");
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
                        history.Clear().Append(parse.GetValue(system) ?? "");
                        console.WriteLine("(history cleared)");
                        continue;
                    case "/history":
                        console.WriteLine(history.ToString());
                        continue;
                }
                history.Append(line).Append('\n');
                var turnSettings = settings.Clone();
                turnSettings.Seed = settings.Seed + turn++;
                var reply = new System.Text.StringBuilder();
                foreach (var token in generator.Stream([history.ToString()], turnSettings, CliContext.Cancellation))
                {
                    console.Write(token.Text);
                    console.Flush();
                    reply.Append(token.Text);
                }
                console.WriteLine();
                history.Append(reply).Append("\n\n");
            }
            return 0;
        });
        return command;
    }
}
