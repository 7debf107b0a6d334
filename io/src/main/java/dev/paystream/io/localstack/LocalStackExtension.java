package dev.paystream.io.localstack;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that shares one {@link LocalStack} among all test classes of a JVM and injects
 * it into constructors, test methods and lifecycle methods that declare a {@code LocalStack}
 * parameter:
 *
 * <pre>{@code
 * @ExtendWith(LocalStackExtension.class)
 * class PaymentsIT {
 *   @Test
 *   void scoresPayments(LocalStack stack) { ... stack.kafkaBootstrapServers() ... }
 * }
 * }</pre>
 *
 * <p>The stack starts on free ports, with a temporary data directory, the first time a test class
 * needs it, and stops when the test run ends. Tests share its servers, so each test should use
 * its own topic names, consumer groups, tables and keys.
 */
public final class LocalStackExtension implements BeforeAllCallback, ParameterResolver {

  private static final Namespace NAMESPACE = Namespace.create(LocalStackExtension.class);

  /** Starts the stack before the class's tests, so its start-up time is not billed to one test. */
  @Override
  public void beforeAll(ExtensionContext context) {
    stack(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LocalStack.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return stack(context);
  }

  private static LocalStack stack(ExtensionContext context) {
    // The root context lives as long as the whole test run, and closes its store's resources at
    // the end of it: that makes the stack a per-JVM singleton that is stopped exactly once.
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(SharedStack.class, key -> SharedStack.start(), SharedStack.class)
        .stack();
  }

  /** Adapts the stack to JUnit's store, which closes only {@code CloseableResource}s. */
  private record SharedStack(LocalStack stack) implements ExtensionContext.Store.CloseableResource {

    static SharedStack start() {
      return new SharedStack(
          LocalStack.builder().kafkaPort(0).postgresPort(0).redisPort(0).start());
    }

    @Override
    public void close() {
      stack.close();
    }
  }
}
