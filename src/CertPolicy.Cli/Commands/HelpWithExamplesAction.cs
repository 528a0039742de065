using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace CertPolicy.Cli.Commands;

/// <summary>The standard help, followed by an "Examples:" section for commands that have examples.</summary>
internal sealed class HelpWithExamplesAction : SynchronousCommandLineAction
{
    private readonly HelpAction _help;
    private readonly IReadOnlyDictionary<Command, string[]> _examples;

    public HelpWithExamplesAction(HelpAction help, IReadOnlyDictionary<Command, string[]> examples)
    {
        _help = help;
        _examples = examples;
    }

    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        int result = _help.Invoke(parseResult);
        if (_examples.TryGetValue(parseResult.CommandResult.Command, out string[]? examples))
        {
            TextWriter output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Examples:");
            foreach (string example in examples)
            {
                output.WriteLine($"  {example}");
            }

            output.WriteLine();
        }

        return result;
    }
}
