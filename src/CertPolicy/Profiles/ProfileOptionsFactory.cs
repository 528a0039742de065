using Microsoft.Extensions.Options;

namespace CertPolicy;

/// <summary>
/// Creates profile settings as the standard options factory does (bind, configure, validate), and tells
/// <see cref="ProfileRejections"/> when that fails. <see cref="IOptionsMonitor{TOptions}"/> creates settings through
/// it on every configuration change and, when they are not valid, never raises OnChange: this is how the profile
/// registry learns that a reload was rejected, and why.
/// </summary>
internal sealed class ProfileOptionsFactory(
    IEnumerable<IConfigureOptions<EndpointProfileOptions>> setups,
    IEnumerable<IPostConfigureOptions<EndpointProfileOptions>> postConfigures,
    IEnumerable<IValidateOptions<EndpointProfileOptions>> validations,
    ProfileRejections rejections) : IOptionsFactory<EndpointProfileOptions>
{
    private readonly OptionsFactory<EndpointProfileOptions> _inner = new(setups, postConfigures, validations);

    public EndpointProfileOptions Create(string name)
    {
        try
        {
            return _inner.Create(name);
        }
        catch (Exception ex)
        {
            rejections.Report(name, ex);
            throw;
        }
    }
}

/// <summary>Where profile settings that could not be created are reported; the profile registry listens while it runs.</summary>
internal sealed class ProfileRejections
{
    private Action<string, Exception>? _listener;

    /// <summary>Sends every later rejection to <paramref name="listener"/> until the result is disposed.</summary>
    public IDisposable Listen(Action<string, Exception> listener)
    {
        Volatile.Write(ref _listener, listener);
        return new Subscription(this, listener);
    }

    public void Report(string name, Exception error) => Volatile.Read(ref _listener)?.Invoke(name, error);

    private sealed class Subscription(ProfileRejections owner, Action<string, Exception> listener) : IDisposable
    {
        public void Dispose() => Interlocked.CompareExchange(ref owner._listener, null, listener);
    }
}
