namespace CertPolicy;

/// <summary>Whether the connection goes ahead.</summary>
public enum DecisionOutcome
{
    /// <summary>Refuse the connection: the handshake must fail.</summary>
    Refuse = 0,

    /// <summary>Connect: the handshake may complete.</summary>
    Connect = 1,
}
