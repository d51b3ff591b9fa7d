using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace MergeTrain.Application.Mediation;

/// <summary>
/// Registers MediatR 5.1.0 (ADR 2): it resolves handlers through a <see cref="ServiceFactory"/>
/// delegate, and the behaviours run in registration order: logging, validation, transaction.
/// </summary>
public static class MediationServices
{
    /// <summary>Adds the mediator, its behaviours and every request handler of this assembly.</summary>
    public static IServiceCollection AddMediation(this IServiceCollection services)
    {
        services.AddScoped<ServiceFactory>(provider => provider.GetService!);
        services.AddScoped<IMediator, Mediator>();
        services.AddScoped<DbSession>();
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(LoggingBehavior<,>));
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(ValidationBehavior<,>));
        services.AddScoped(typeof(IPipelineBehavior<,>), typeof(TransactionBehavior<,>));

        var handlers = typeof(MediationServices).Assembly.GetTypes()
            .Where(type => type is { IsAbstract: false, IsGenericTypeDefinition: false })
            .SelectMany(type => type.GetInterfaces()
                .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequestHandler<,>))
                .Select(i => (Service: i, Implementation: type)));
        foreach (var (service, implementation) in handlers)
        {
            services.AddScoped(service, implementation);
        }

        return services;
    }
}
