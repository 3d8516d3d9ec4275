using System.Text.Json.Nodes;
using Loom.Text.Templates;

namespace Loom.Tests.Text.Templates;

/// <summary>
/// More chat templates in the style of published models (written here after the Llama 3.1 tool-calling, Mistral
/// instruct and DeepSeek-R1 templates), rendered by Loom and by <c>@huggingface/jinja</c>: equal output required.
/// They reach features the packaged templates do not: <c>tojson(indent=4)</c>, <c>namespace</c> flags across turns,
/// <c>loop.index0 % 2</c>, <c>is not defined</c>, <c>split()[-1]</c>, block-level <c>raise_exception</c>.
/// </summary>
public class CommunityTemplateConformanceTests
{
    private const string Llama31 = """
        {{- bos_token }}
        {%- if not tools_in_user_message is defined %}
            {%- set tools_in_user_message = true %}
        {%- endif %}
        {%- if not date_string is defined %}
            {%- set date_string = "26 Jul 2024" %}
        {%- endif %}
        {%- if not tools is defined %}
            {%- set tools = none %}
        {%- endif %}
        {%- if messages[0]['role'] == 'system' %}
            {%- set system_message = messages[0]['content']|trim %}
            {%- set messages = messages[1:] %}
        {%- else %}
            {%- set system_message = "" %}
        {%- endif %}
        {{- "<|start_header_id|>system<|end_header_id|>\n\n" }}
        {%- if tools is not none %}
            {{- "Environment: ipython\n" }}
        {%- endif %}
        {{- "Cutting Knowledge Date: December 2023\n" }}
        {{- "Today Date: " + date_string + "\n\n" }}
        {%- if tools is not none and not tools_in_user_message %}
            {{- "You have access to the following functions.\n\n" }}
        {%- endif %}
        {{- system_message }}
        {{- "<|eot_id|>" }}
        {%- if tools_in_user_message and not tools is none %}
            {%- if messages | length != 0 %}
                {%- set first_user_message = messages[0]['content']|trim %}
                {%- set messages = messages[1:] %}
            {%- else %}
                {{- raise_exception("Cannot put tools in the first user message when there's no first user message!") }}
            {%- endif %}
            {{- '<|start_header_id|>user<|end_header_id|>\n\n' -}}
            {{- "Given the following functions, please respond with a JSON for a function call " }}
            {{- "with its proper arguments that best answers the given prompt.\n\n" }}
            {%- for t in tools %}
                {{- t | tojson(indent=4) }}
                {{- "\n\n" }}
            {%- endfor %}
            {{- first_user_message + "<|eot_id|>"}}
        {%- endif %}
        {%- for message in messages %}
            {%- if not (message.role == 'ipython' or message.role == 'tool' or 'tool_calls' in message) %}
                {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' }}
            {%- elif 'tool_calls' in message %}
                {%- if not message.tool_calls|length == 1 %}
                    {{- raise_exception("This model only supports single tool-calls at once!") }}
                {%- endif %}
                {%- set tool_call = message.tool_calls[0].function %}
                {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}
                {{- '{"name": "' + tool_call.name + '", ' }}
                {{- '"parameters": ' }}
                {{- tool_call.arguments | tojson }}
                {{- "}" }}
                {{- "<|eot_id|>" }}
            {%- elif message.role == "tool" or message.role == "ipython" %}
                {{- "<|start_header_id|>ipython<|end_header_id|>\n\n" }}
                {%- if message.content is mapping or message.content is iterable %}
                    {{- message.content | tojson }}
                {%- else %}
                    {{- message.content }}
                {%- endif %}
                {{- "<|eot_id|>" }}
            {%- endif %}
        {%- endfor %}
        {%- if add_generation_prompt %}
            {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}
        {%- endif %}
        """;

    private const string Mistral = """
        {%- if messages[0]['role'] == 'system' %}
            {%- set system_message = messages[0]['content'] %}
            {%- set loop_messages = messages[1:] %}
        {%- else %}
            {%- set loop_messages = messages %}
        {%- endif %}

        {{- bos_token }}
        {%- for message in loop_messages %}
            {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
                {{- raise_exception('After the optional system message, conversation roles must alternate '
                    ~ 'user/assistant/user/assistant/...') }}
            {%- endif %}
            {%- if message['role'] == 'user' %}
                {%- if loop.first and system_message is defined %}
                    {{- ' [INST] ' + system_message + '\n\n' + message['content'] + ' [/INST]' }}
                {%- else %}
                    {{- ' [INST] ' + message['content'] + ' [/INST]' }}
                {%- endif %}
            {%- elif message['role'] == 'assistant' %}
                {{- ' ' + message['content'] + eos_token}}
            {%- else %}
                {{- raise_exception('Only user and assistant roles are supported, '
                    'with the exception of an initial optional system message!') }}
            {%- endif %}
        {%- endfor %}
        """;

    private const string DeepSeekR1 = """
        {% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}
        {% set ns = namespace(is_first=false, is_tool=false, is_output_first=true, system_prompt='') %}
        {%- for message in messages %}{%- if message['role'] == 'system' %}
        {% set ns.system_prompt = message['content'] %}{%- endif %}{%- endfor %}
        {{bos_token}}{{ns.system_prompt}}
        {%- for message in messages %}
        {%- if message['role'] == 'user' %}{%- set ns.is_tool = false -%}{{'<｜User｜>' + message['content']}}{%- endif %}
        {%- if message['role'] == 'assistant' and message['content'] is not none %}
        {%- set content = message['content'] %}
        {% if '</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}
        {{'<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>'}}
        {%- endif %}
        {%- endfor -%}
        {% if add_generation_prompt and not ns.is_tool %}{{'<｜Assistant｜><think>\n'}}{% endif %}
        """;

    public static TheoryData<string, int> Cases()
    {
        var cases = new TheoryData<string, int>();
        foreach (var name in new[] { "llama31", "mistral", "deepseek" })
            for (int conversation = 0; conversation < Conversations.Length; conversation++) cases.Add(name, conversation);
        return cases;
    }

    private static readonly ChatTemplateMessage[][] Conversations =
    [
        [new("system", "  You are helpful. "), new("user", "Hi"), new("assistant", "<think>x</think>Hello!"), new("user", "Bye")],
        [new("user", "Just me\nwith two lines")],
        [new("user", "a"), new("user", "b")],
        [new("system", "S"), new("user", "u"), new("tool", "t")],
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void RendersLikeThePeer(string name, int conversation)
    {
        var template = new ChatTemplate(Source(name), "<s>", "</s>");
        foreach (bool prompt in new[] { true, false })
            AssertSameAsPeer(template, template.Context(Conversations[conversation], prompt));
    }

    [Fact]
    public void Llama31WithToolsAndASingleToolCall()
    {
        var template = new ChatTemplate(Llama31, "<|begin_of_text|>");
        var tools = JsonNode.Parse("""
            [{"type": "function", "function": {"name": "spell", "description": "Spell a word",
              "parameters": {"type": "object", "properties": {"word": {"type": "string"}}, "required": ["word"]}}}]
            """)!.AsArray();
        var call = JsonNode.Parse("""[{"function": {"name": "spell", "arguments": {"word": "loom", "n": 1.5}}}]""");
        ChatTemplateMessage[] messages =
        [
            new("system", "Sys"), new("user", "Spell loom"), new("assistant", null, ToolCalls: call), new("tool", "l-o-o-m"),
        ];
        string prompt = AssertSameAsPeer(template, template.Context(messages, true, tools));
        Assert.Contains("{\n    \"type\": \"function\",\n    \"function\": {\n        \"name\": \"spell\"", prompt);
        Assert.Contains("{\"name\": \"spell\", \"parameters\": {\"word\": \"loom\", \"n\": 1.5}}<|eot_id|>", prompt);
    }

    private static string Source(string name) => name switch
    {
        "llama31" => Llama31,
        "mistral" => Mistral,
        _ => DeepSeekR1,
    };

    private static string AssertSameAsPeer(ChatTemplate template, JsonObject context)
    {
        var peer = JinjaPeer.Render(template.Source, context);
        if (peer.Error is not null)
        {
            var raised = Assert.Throws<TemplateRaisedException>(() => template.Render(context));
            Assert.Equal(peer.Error, raised.Message);
            return "";
        }
        string actual = template.Render(context);
        Assert.Equal(peer.Output, actual);
        return actual;
    }
}
