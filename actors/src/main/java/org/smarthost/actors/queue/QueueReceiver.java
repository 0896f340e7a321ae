package org.smarthost.actors.queue;

import java.time.Clock;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.smarthost.persistence.body.BodyStore;
import org.smarthost.persistence.queue.QueueIdGenerator;
import org.smarthost.protocol.smtpd.MailFrom;
import org.smarthost.protocol.smtpd.MessageReceiver;
import org.smarthost.protocol.smtpd.SessionInfo;
import org.smarthost.protocol.smtpd.Transaction;

/**
 * What smtpd hands mail to: Postfix's cleanup service plus the queue. Each transaction gets a
 * queue ID, streams its content through the cleanup stage into the body store, and on commit
 * has its MessageActor persist MessageReceived before smtpd may answer 250.
 */
public final class QueueReceiver implements MessageReceiver {

    /** How long commit waits for the journal before smtpd answers 451. */
    static final Duration ACCEPT_TIMEOUT = Duration.ofSeconds(60);

    private final ActorSystem<?> system;
    private volatile QueueSettings settings;
    private final QueueIdGenerator ids;
    private final BodyStore bodies;
    private final ActorRef<MessageRegion.Command> region;
    private volatile HeaderRewriteClients rewriteClients;
    private final Clock clock;
    /** trivial-rewrite, once delivery has started: smtpd's address syntax check asks it. */
    private volatile org.smarthost.actors.resolve.AddressResolver resolver;
    private volatile DiskProbe diskProbe = (queueId, bytes) -> { };

    public QueueReceiver(ActorSystem<?> system, QueueSettings settings, QueueIdGenerator ids, BodyStore bodies,
                         ActorRef<MessageRegion.Command> region, Clock clock) {
        this.system = system;
        this.settings = settings;
        this.ids = ids;
        this.bodies = bodies;
        this.region = region;
        this.clock = clock;
        this.rewriteClients = new HeaderRewriteClients(settings.localHeaderRewriteClients(), settings.mynetworks());
    }

    /** New settings for the transactions opened from now on (postfix reload). */
    void reconfigure(QueueSettings next) {
        HeaderRewriteClients clients = new HeaderRewriteClients(next.localHeaderRewriteClients(), next.mynetworks());
        settings = next;
        rewriteClients = clients;
    }

    /** The resolver smtpd's address check uses from now on (delivery start, reload). */
    void resolver(org.smarthost.actors.resolve.AddressResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public boolean validAddress(String address) {
        var r = resolver;
        return r == null || !r.resolve(address).flags().contains(org.smarthost.actors.resolve.Resolution.Flag.ERROR);
    }

    @Override
    public Transaction open(SessionInfo session, MailFrom sender) {
        return new QueueTransaction(ids.next(), clock.instant(), session, sender, rewriteClients.matches(session),
                this);
    }

    /**
     * Called on the body store's thread before each append. Tests use it to make the disk slow
     * (block until released) and watch backpressure work; production leaves it a no-op.
     */
    interface DiskProbe {
        void beforeAppend(String queueId, int bytes) throws Exception;
    }

    void diskProbe(DiskProbe probe) { this.diskProbe = probe; }

    DiskProbe diskProbe() { return diskProbe; }

    ActorSystem<?> system() { return system; }
    QueueSettings settings() { return settings; }
    BodyStore bodies() { return bodies; }
    ActorRef<MessageRegion.Command> region() { return region; }
}
