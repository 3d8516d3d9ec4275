using System.ClientModel;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Loom.Tests.AI;
using Loom.Tests.Support;
using OpenAI;
using OpenAI.Chat;

namespace Loom.Tests.Server;

/// <summary>
/// The real <c>loom</c> binary: <c>loom keys create|list|revoke</c> manage a store's keys (the key printed once, never
/// listed), <c>loom serve</c> refuses a store without keys in one line naming <c>--no-auth</c>, serves the SDK with a key,
/// refuses a revoked key at once, and stops on SIGTERM.
/// </summary>
public sealed partial class ServeCliTests : IDisposable
{
    private readonly TempFolder store = new();

    public ServeCliTests() => TinyChatModel.Save(Path.Combine(store.Path, "tiny"));

    public void Dispose() => store.Dispose();

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(store.Path, args);

    [Fact]
    public void Keys_are_created_once_listed_without_secrets_and_revoked()
    {
        CliAssert.OneLineError(Loom("serve", "--models", store.Path, "--port", "0"), 2, "--no-auth");
        var created = Loom("keys", "create", "--name", "ci", "--models", store.Path);
        Assert.True(created.ExitCode == 0, created.ToString());
        var key = created.Stdout.Trim();
        Assert.Matches(KeyFormat(), key);
        var id = key.Split('-')[1];
        Assert.Contains($"created key {id} ('ci')", created.Stderr);
        CliAssert.OneLineError(Loom("keys", "create", "--name", "ci", "--models", store.Path), 2, "--name");

        var listed = Loom("keys", "list", "--models", store.Path);
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains($"{id}  ci  created ", listed.Stdout);
        Assert.Contains("active", listed.Stdout);
        Assert.DoesNotContain(key.Split('-', 3)[2], listed.Stdout);
        var database = File.ReadAllText(Path.Combine(store.Path, "loom-keys.sqlite"), System.Text.Encoding.Latin1);
        Assert.DoesNotContain(key.Split('-', 3)[2], database);

        var revoked = Loom("keys", "revoke", "ci", "--models", store.Path);
        Assert.Equal(0, revoked.ExitCode);
        Assert.Contains($"revoked {id} ('ci')", revoked.Stdout);
        Assert.Contains("revoked 20", Loom("keys", "list", "--models", store.Path).Stdout);
        CliAssert.OneLineError(Loom("keys", "revoke", "ci", "--models", store.Path), 2, "no active key");
    }

    [Fact]
    public async Task Loom_serve_answers_the_sdk_refuses_a_revoked_key_at_once_and_stops_on_sigterm()
    {
        var key = Loom("keys", "create", "--name", "app", "--models", store.Path).Stdout.Trim();
        using var process = Process.Start(CliRunner.StartInfo(store.Path, ["serve", "--models", store.Path, "--port", "0"]))!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var seen = new List<string>();
            Match match;
            do
            {
                var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
                Assert.True(line is not null, "loom serve ended before listening: " + string.Join("\n", seen));
                seen.Add(line);
                match = Listening().Match(line);
            }
            while (!match.Success);
            var endpoint = new Uri(match.Groups[1].Value + "v1");
            var options = new OpenAIClientOptions
            {
                Endpoint = endpoint, RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0),
            };
            var chat = new OpenAIClient(new ApiKeyCredential(key), options).GetChatClient("tiny");
            var reply = (await chat.CompleteChatAsync([new UserChatMessage("hello")],
                new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 5 }).WaitAsync(TimeSpan.FromMinutes(2))).Value;
            Assert.Equal(5, reply.Usage.OutputTokenCount);

            Assert.Equal(0, Loom("keys", "revoke", "app", "--models", store.Path).ExitCode);
            var refused = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hello")]));
            Assert.Equal(401, refused.Status);

            Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
            Assert.True(process.WaitForExit(60_000), "loom serve did not stop after SIGTERM");
            Assert.True(process.ExitCode == 143, await stderr);
            Assert.Contains("stopping after in-flight requests finish", await process.StandardOutput.ReadToEndAsync());
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    [GeneratedRegex(@"^loom-[0-9a-f]{12}-[A-Za-z0-9_-]{43}$")]
    private static partial Regex KeyFormat();

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+/)")]
    private static partial Regex Listening();
}
