package dev.purge.extracta;

import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;

/** While sending is halted (the API refused the key), no file is taken from the inbox: they wait for the restart. */
public class InboxFilter implements GenericFileFilter<Object> {

    private SendGate sendGate;

    public void setSendGate(SendGate sendGate) {
        this.sendGate = sendGate;
    }

    @Override
    public boolean accept(GenericFile<Object> file) {
        return sendGate == null || !sendGate.isHalted();
    }
}
