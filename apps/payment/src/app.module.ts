import { Module } from '@nestjs/common';
import { paymentTokenSealerProvider } from '@platform/service-kit';
import { PaymentsRepository } from './adapters/db/payments.repository.js';
import { OrderEventsController } from './adapters/events/order-events.controller.js';
import { CircuitPaymentGateway } from './adapters/gateway/circuit-payment-gateway.js';
import { GatewayCircuit } from './adapters/gateway/gateway-circuit.js';
import { PAYMENT_GATEWAY, SimulatedPaymentGateway } from './adapters/gateway/payment-gateway.js';
import { PaymentsController } from './adapters/http/payments.controller.js';
import { PaymentMetrics } from './application/payment.metrics.js';
import { PaymentsService } from './application/payments.service.js';
import { PaymentGateway, PaymentsStore } from './application/ports.js';

/** Root module of the payment service: payments (events and HTTP) behind the simulated gateway. */
@Module({
  controllers: [PaymentsController, OrderEventsController],
  providers: [
    PaymentsService,
    PaymentsRepository,
    { provide: PaymentsStore, useExisting: PaymentsRepository },
    PaymentMetrics,
    GatewayCircuit,
    { provide: PAYMENT_GATEWAY, useClass: SimulatedPaymentGateway },
    CircuitPaymentGateway,
    { provide: PaymentGateway, useExisting: CircuitPaymentGateway },
    paymentTokenSealerProvider,
  ],
})
export class AppModule {}
